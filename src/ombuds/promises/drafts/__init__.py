"""Draft claims: checked against customers before launch, commented on by care, then registered."""
