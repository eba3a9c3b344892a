"""Onboarding (/quan-ly/ho-tro): a community digital-technology team member sets a producer up
on a phone, step by step and resumable; the producer can take over through an invitation."""
