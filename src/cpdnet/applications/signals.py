"""Signals other apps listen to, so that applications never imports them.

`application_moved` is sent by `services._move` inside the transaction that changes the
state, after the history row is written: a receiver's writes commit or roll back with the
move, and a receiver that raises aborts it. Arguments: application, from_state, to_state, by
(the person who acted, or None for the system or an approver's link).
"""

from django.dispatch import Signal

application_moved = Signal()

# Sent with application_ids when a school confirms or denies that a teacher works there, which
# decides whether their applications count for the school (a queryset update sends no save).
school_confirmation_changed = Signal()
