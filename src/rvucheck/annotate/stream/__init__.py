"""The streaming annotator: the annotated copy written without loading the workbook into an object model.

zipraw.py copies package parts as their compressed bytes and writes new ones; styles.py adds the cell styles
the results need to styles.xml; sheet.py streams the charge sheet's XML once, appending the result cells;
tail.py edits the sheet's short tail (column widths, filter, legacy drawing); notes.py writes the notes
(comments + VML), merged with the sheet's own; graft.py copies the sheets of a small side workbook
(Findings, Summary, ...) into the package; writer.py runs them in order.
"""
