"""Chart data of plans and comparisons, shared by the HTML report and the web UI."""
