"""Products (产品): listed by producers, published when ready, public when their enterprise is verified."""
