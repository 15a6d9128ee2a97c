"""Page file run by st.navigation; the page itself lives in quiz.ui.reports_page."""

from quiz.ui.reports_page import render

render()
