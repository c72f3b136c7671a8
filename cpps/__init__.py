"""Co-Produced Public Safety: a platform where residents lead how public safety is defined,
discussed and judged, and the police are held accountable to what residents decide."""

__version__ = "0.1.0"
