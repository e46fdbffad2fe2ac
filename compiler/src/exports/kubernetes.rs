//! (placeholder: the import branch brings the Kubernetes reader)
