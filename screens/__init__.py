"""The Textual UI of desk."""
