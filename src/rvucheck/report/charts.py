"""Native Excel charts over a table already on the sheet (they stay live when the user edits the figures).

`place_chart` wires any openpyxl chart to its data and categories; `ranked_bars` is the horizontal bar
chart of the annotated copy's Summary (first row on top, every label shown).
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.chart import BarChart, Reference
from openpyxl.chart._chart import ChartBase
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.worksheet.worksheet import Worksheet

SERIES_COLOURS = {"Errors": "C00000", "Warnings": "FFC000", "Info": "5B9BD5"}  # as the row fills read


@dataclass(frozen=True)
class Block:
    """Where a chart's figures are: series in columns first..last (titles in `title_row`), one category
    per row from `first_row` to `last_row`, category labels in `label_column`."""

    first_column: int
    last_column: int
    title_row: int
    first_row: int
    last_row: int
    label_column: int = 1


def place_chart(
    ws: Worksheet, chart: ChartBase, block: Block, anchor: str, size: tuple[float, float]
) -> None:
    """Give `chart` its series (titled from the header row) and categories, size (height, width in cm)
    and put it at `anchor`."""
    data = Reference(
        ws, min_col=block.first_column, max_col=block.last_column, min_row=block.title_row,
        max_row=block.last_row,
    )  # fmt: skip
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(
        Reference(ws, min_col=block.label_column, min_row=block.first_row, max_row=block.last_row)
    )
    chart.height, chart.width = size
    ws.add_chart(chart, anchor)


def _small_labels() -> RichText:
    size = CharacterProperties(sz=800)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=size), endParaRPr=size)])


def ranked_bars(
    ws: Worksheet,
    title: str,
    y_title: str,
    data_cols: tuple[int, int],
    first: int,
    last: int,
    anchor: str,
    stacked: bool = False,
    number_format: str = "#,##0",
) -> None:
    """Horizontal bars in the table's order (first row on top), every label shown, whole-number axis."""
    if last < first:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.y_axis.title = y_title
    chart.y_axis.number_format = number_format
    chart.y_axis.majorGridlines = None
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    chart.x_axis.tickLblSkip = 1  # else Excel shows every other code when bars are thin
    chart.x_axis.txPr = _small_labels()  # ten provider names fit 8 cm only in a smaller size
    chart.x_axis.scaling.orientation = "maxMin"  # top to bottom as in the table beside it
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    place_chart(ws, chart, Block(data_cols[0], data_cols[1], first - 1, first, last), anchor, (8, 16))
    for column, series in zip(range(data_cols[0], data_cols[1] + 1), chart.series, strict=True):
        colour = SERIES_COLOURS.get(str(ws.cell(row=first - 1, column=column).value))
        if colour:
            series.graphicalProperties.solidFill = colour
            series.graphicalProperties.line.solidFill = colour
    if data_cols[0] == data_cols[1]:
        chart.legend = None  # one series: the title says what it is
    else:
        chart.legend.position = "b"
