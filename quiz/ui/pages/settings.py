"""Page file run by st.navigation; the page itself lives in quiz.ui.settings_page."""

from quiz.ui.settings_page import render

render()
