"""What facilitators can see, and what stays private."""

import streamlit as st

st.title("What facilitators can see")
st.markdown(
    """
This course is for you. Some of what you do helps your facilitator run a good group
discussion; some of it is yours alone.

**Private: only you can see**
- Your reflections. No facilitator or administrator can read them, not even as a summary.
- Your individual choices in scenarios, and the path you took.
- Your quiz answers, question by question.
- Your self-assessment answers, statement by statement.

**Shared with facilitators of your group**
- Which modules you have started and completed, and when.
- Whether you made an action plan and checked in on it (not what the plan says).
- Group views that combine everyone in your group: for example, how many people chose
  each kind of option in a scenario, or which common beliefs came up most. These views
  never show a name, and small groups are not shown at all, so nobody can be picked out.

**Administrators** can manage accounts (names, email addresses, roles) and create a link
to reset a password. They cannot see your reflections either.
"""
)
