"""The upload form of the import page."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectChoice
from wtforms.validators import InputRequired

KIND_CHOICES = [SelectChoice("suppliers", "Suppliers"), SelectChoice("connections", "Connections")]


class ImportForm(FlaskForm):
    """Which list the file holds, the file, and whether only to check it."""

    kind = RadioField(
        "The file holds",
        choices=KIND_CHOICES,
        default="suppliers",
        validators=[InputRequired("Choose suppliers or connections.")],
    )
    file = FileField(
        "File",
        validators=[
            FileRequired("Choose a CSV or XLSX file to upload."),
            FileAllowed(["csv", "txt", "tsv", "xlsx"], "Upload a .csv or .xlsx file."),
        ],
        description="CSV (comma or semicolon, UTF-8) or Excel .xlsx; the first row names the "
        "columns.",
    )
    dry_run = BooleanField(
        "Dry run: check the file and show what would change, without saving anything"
    )
