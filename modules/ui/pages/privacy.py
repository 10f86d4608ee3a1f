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

**How your answers join the group views**
- Only your first answers count: your first finished play of a scenario, your first try
  at a knowledge check, the first check-in on each plan, and your self-assessment once you
  have answered both parts in full. Playing again or changing an answer later changes
  nothing there.
- They are added when you finish, but the group views only change once several people
  have finished since the last change (five by default, never fewer than three). So
  comparing the views before and after you finish never shows your answers. Each view
  says how many people it counts, and since when.
- The views keep numbers only, never a name. If you leave the group or your account is
  deleted, your answers stay in them, without your name: taking them out again would
  show what they were.

**Your organisation's learning records system (xAPI)**
- If your organisation connects the course to it, it receives your progress only: which
  lessons, reflections and plans you completed (not what you wrote), your score in each
  scenario and knowledge check and whether you passed, the modules and the course you
  completed, and your certificate.
- It never receives your reflections, your choices, your answers, your plans, your
  check-in notes or your self-assessment. You are named there by a code, not by your name
  or email address, unless your organisation has chosen to use your email address.
- If you delete your account, the course tells that system to withdraw what it sent.

**Administrators** can manage accounts (names, email addresses, roles) and create a link
to reset a password. They cannot see your reflections either.
"""
)
