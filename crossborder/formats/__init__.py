"""Date and time formats shown to shoppers, per language (FORMAT_MODULE_PATH): one format each,
on a 24-hour clock and ending in a digit, so that a date at the end of a sentence never reads
"12:33 p.m.." (English's default ends in "p.m."). Chinese keeps Django's, which already do."""
