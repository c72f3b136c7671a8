"""Listening: safety and trust surveys answered by web, SMS, voice and paper."""
