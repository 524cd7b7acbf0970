"""The course's content: the lessons' cases, the checked exercises, the branch's
deal-size table and the bilingual (English / 中文) label catalogue."""
