"""The speed plumbing of the short-lived commands: a second core for part of a job.

fork.py runs half a job in a forked child (only where the command's entry allows it, see
boundary.py); batch.py parses many files on two cores, or ahead of time while the command still
imports itself; transport.py is how a parsed tree travels back from the child. It stands on
`syntax` and knows nothing of what the files mean.
"""
