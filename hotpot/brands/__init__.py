"""Brands (品牌): regional public and cluster brands with their licensees, enterprise and product brands."""
