"""Teams at the web edge: members, assignment policies and availability (JSON and the Team page)."""
