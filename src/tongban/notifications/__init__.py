"""Messages to people: the in-app inbox and e-mail (SMS later), bilingual, sent after commit."""
