"""The 爆品 cultivation pool (爆品培育库): batches, applications and screening, the expert pool and the draw,
independent reviews, ranking, decisions, public notice, incubation, graduation and the public showcase."""
