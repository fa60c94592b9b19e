"""Signals other apps listen to instead of being imported by applications."""

from django.dispatch import Signal

# Sent by `services._move` inside the transaction of every state change, with
# application, from_state, to_state and by: listeners' writes commit or roll back with it.
application_moved = Signal()
