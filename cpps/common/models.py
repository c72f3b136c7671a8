"""Shared infrastructure rows. (Outbound text messages moved to `cpps.channels`.)"""
