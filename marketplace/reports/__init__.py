"""Reports for staff and admins: dashboards per province and commune, CSV/XLSX exports."""
