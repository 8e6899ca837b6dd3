"""`rvucheck serve`: a local web page that runs the same pipeline as the command line (check, columns,
audit, code, data status) for people who never open a terminal. Bound to 127.0.0.1; nothing leaves the
machine. app.py builds the app; routes.py holds the pages; state.py the server's state; security.py guards
every request; jobs.py runs the work in the background in private temp folders; uploads.py stores uploads;
profile.py is the practice profile (settings, saved columns, localities); checking.py, auditing.py and
lookup.py call the pipeline, the audit, the code page and the data store."""
