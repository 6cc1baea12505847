"""The conversation: what a message means for the form, the tracker as a lead, the visit, the language."""
