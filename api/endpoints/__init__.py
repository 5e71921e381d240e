"""Partner API v1 resources: one module per resource, each a PartnerViewSet subclass with its
serializers (representation and input)."""
