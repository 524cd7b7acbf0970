"""The no-code app (the ``app`` extra): Voilà pages of the workbook's dashboards."""
