"""What is remembered: the store interface and its backends, the handler's bundle of state and
settings, conversations, the background lifecycle, compaction, pagination, seeding, and the
context a turn reads.

May import ``model``, ``scenarios`` and ``contract``.
"""
