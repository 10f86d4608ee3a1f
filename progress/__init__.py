"""Storage of accounts and learner progress: SQLAlchemy tables, repositories, migrations.

Start with `progress.database` (engines, the session factory) and `progress.migrate`
(`upgrade_to_head`). Each `*_repo` module is the repository of one part of the subject: small
typed functions that take the Session of the caller's unit of work and return frozen records,
never ORM objects; `learning_repo` and `people_repo` wrap them as the repositories the
services' unit of work hands out (modules/services/uow.py).
"""
