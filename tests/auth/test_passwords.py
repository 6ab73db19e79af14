"""Password hashing and rules."""

from hotpot.auth import passwords


def test_hash_is_argon2id_and_verifies():
    h = passwords.hash_password("Spicy-Broth-2026")
    assert h.startswith("$argon2id$")
    assert passwords.verify_password(h, "Spicy-Broth-2026")
    assert not passwords.verify_password(h, "spicy-broth-2026")
    assert not passwords.verify_password("not-a-hash", "x")


def test_rules():
    assert passwords.password_problem("Spicy-Broth-2026") is None
    assert "至少需要 8 个字符" in passwords.password_problem("Ab1-xyz")
    assert "太常见" in passwords.password_problem("iloveyou")
    assert "太常见" in passwords.password_problem("Password1")
    assert "太常见" in passwords.password_problem("aaaaaaaaaa")
    assert "不能超过" in passwords.password_problem("x" * 129 + "Ab1")
    assert "与邮箱相同" in passwords.password_problem("mao.du@hotpot.example", email="mao.du@hotpot.example")
