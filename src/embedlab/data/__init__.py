"""Reading texts and data sets from users' files, and writing vectors."""
