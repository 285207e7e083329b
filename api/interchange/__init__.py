"""Interchange with the tools PMOs work in: Excel workbooks, CSV, MS Project XML, iCal.

Each module has one job and works on bytes, so the command line and a service share it:

* :mod:`api.interchange.workbook_layout`: the sheets and columns of the portfolio workbook;
* :mod:`api.interchange.xlsx_write` / :mod:`api.interchange.xlsx_read`: a portfolio to and
  from a workbook (errors name sheet, row and column);
* :mod:`api.interchange.plan_tables`, :mod:`api.interchange.plan_xlsx`,
  :mod:`api.interchange.csv_export`: a plan as tables, a workbook and CSV files;
* :mod:`api.interchange.mspdi_write` / :mod:`api.interchange.mspdi_read`: MS Project XML
  (MSPDI), checked against :mod:`api.interchange.mspdi_schema`;
* :mod:`api.interchange.ical`: one iCalendar per person;
* :mod:`api.interchange.detect`: which format a file holds, and reading any of them;
* :mod:`api.interchange.exports`: a plan checked, then exported in any format (for any caller);
* :mod:`api.interchange.commands`: the ``pmo template``, ``import`` and ``export`` commands.

The mapping of every format is in ``docs/interchange.md``.
"""
