"""Certificates (资质证书): SC licences, green/organic food, geographical indications, HACCP ... verified by staff."""
