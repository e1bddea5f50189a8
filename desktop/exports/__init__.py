"""What leaves the app: the PDF report, the Excel workbook, the JSON export."""
