"""Reports for executives drawn from the dashboards' queries: the ombudsman's weekly report."""
