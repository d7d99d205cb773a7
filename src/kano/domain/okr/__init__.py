"""OKRs: objectives, key results, check-ins, grading and Net Confidence."""
