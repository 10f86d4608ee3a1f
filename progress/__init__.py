"""Storage of accounts and learner progress: SQLAlchemy tables, repositories, migrations.

Start with `progress.database` (engines, the session factory) and `progress.migrate`
(`upgrade_to_head`); each other module is the repository of one part of the subject.
Repositories take a Session and return frozen records, never ORM objects.
"""
