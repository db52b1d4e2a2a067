"""In-app notifications: a line for one person about something that needs them (an overdue task, a breach)."""
