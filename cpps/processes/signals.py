"""Signals other apps use to act on a process's lifecycle without processes knowing them."""

from django.dispatch import Signal

# Sent inside the transaction that changes the state, before its audit event, with
# ``process``, ``previous`` and ``user``; a receiver that raises undoes the change.
process_state_changed = Signal()
