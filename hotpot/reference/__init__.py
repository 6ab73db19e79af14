"""Reference data: Hechuan's towns, the industry-chain links, SC food classes."""
