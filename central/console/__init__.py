"""Web console for central staff: server-rendered pages under /console/ (issue 20)."""
