"""The lifecycle custom resource's Lambda handler (:mod:`constructs_lib.lifecycle.handler`)."""
