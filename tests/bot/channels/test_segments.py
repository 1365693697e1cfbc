"""SMS segments are counted on the raw body: GSM-7 (with its extension table) or UCS-2."""

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.render import gsm_fold, sms_text
from bot.channels.segments import GSM7_BASIC, count_segments, encoding, units


def test_plain_english_is_gsm7_and_160_characters_fit_one_segment():
    assert encoding("Hello, how are you?") == "GSM-7"
    assert count_segments("a" * 160) == 1
    assert count_segments("a" * 161) == 2
    assert count_segments("a" * 306) == 2
    assert count_segments("a" * 307) == 3


def test_extension_characters_cost_two_septets():
    assert units("€") == 2
    assert count_segments("€" * 80) == 1
    assert count_segments("€" * 81) == 2


def test_one_arabic_letter_makes_the_whole_body_ucs2():
    assert encoding("Hello مرحبا") == "UCS-2"
    assert count_segments("ب" * 70) == 1
    assert count_segments("ب" * 71) == 2
    assert count_segments("ب" * 201) == 3
    assert count_segments("ب" * 202) == 4


def test_emoji_count_as_two_utf16_units():
    assert units("😀") == 2


def test_french_accents_outside_gsm7_are_folded_for_sms():
    body = sms_text("Êtes-vous prêt ? Ça va’", [("fr", "Français")])
    assert body == "Etes-vous pret ? Ça va'\n1 Francais"
    assert encoding(body) == "GSM-7"


def test_arabic_is_never_folded():
    assert gsm_fold("مرحبا، Français") == "مرحبا، Français"


def test_choices_are_numbered_lines():
    assert (
        sms_text("Choose:", [("en", "English"), ("fr", "Français")])
        == "Choose:\n1 English\n2 Francais"
    )


@given(st.text(alphabet=sorted(GSM7_BASIC), max_size=1000))
def test_gsm7_segments_match_the_arithmetic(text):
    expected = 1 if len(text) <= 160 else -(-len(text) // 153)
    assert count_segments(text) == expected


@given(st.text(max_size=500))
def test_folding_is_idempotent_and_yields_gsm7_or_the_original(text):
    folded = gsm_fold(text)
    assert gsm_fold(folded) == folded
    assert folded == text or encoding(folded) == "GSM-7"


def test_a_bare_scale_needs_no_lines():
    assert sms_text(
        "How happy are you? 1 = not at all, 5 = very.", [(str(n), str(n)) for n in range(1, 6)]
    ) == ("How happy are you? 1 = not at all, 5 = very.")


def test_isolates_stay_in_an_sms_unless_they_cost_a_segment():
    """Arabic keeps a number's digit groups in order with LRI ... PDI; when the two marks
    would push the message into another segment, the number goes without them."""
    number = "\u2066+221 33 800 00 01\u2069"
    short = f"اتصل بـ {number}"
    assert sms_text(short, ()) == short
    bare = "اتصل بـ +221 33 800 00 01"
    tight = f"{'ا' * (70 - len(bare) - 1)} اتصل بـ {number}"  # 70 characters without marks
    assert count_segments(tight.replace("\u2066", "").replace("\u2069", "")) == 1
    assert count_segments(tight) == 2
    assert sms_text(tight, ()) == tight.replace("\u2066", "").replace("\u2069", "")
