"""Label search finds entities the way a reader types their names."""

from kg.web.labels import LabelIndex, fold

ROWS = [
    {"iri": "r/Lwow", "label": "Lwów", "lang": "en", "type": "City"},
    {"iri": "r/Lwow", "label": "Lwiw", "lang": "uk", "type": "City"},
    {"iri": "r/Luck", "label": "Łuck", "lang": "en", "type": "City"},
    {"iri": "r/WlodzimierzWolynski", "label": "Włodzimierz Wołyński", "lang": "en", "type": None},
    {"iri": "r/SovietInvasionOfPoland", "label": "Soviet invasion of Poland", "lang": "en",
     "type": None},
    {"iri": "r/SovietInvasionOfPoland", "label": "Invasi Soviet ke Polandia", "lang": "id",
     "type": None},
    {"iri": "r/SovietUnion", "label": "Soviet Union", "lang": "en", "type": None},
]


def index():
    return LabelIndex(ROWS, lambda iri: iri.split("/")[-1])


def test_fold_drops_accents_case_and_polish_l():
    assert fold("Włodzimierz Wołyński") == "wlodzimierz wolynski"
    assert fold("ŁUCK") == "luck"


def test_lwow_finds_lwow_with_its_accent():
    (entity, matched), *_ = index().search("Lwow")
    assert entity.iri == "r/Lwow" and matched == "Lwów" and entity.label == "Lwów"


def test_other_language_labels_are_searched_and_english_is_shown():
    hits = index().search("invasi")
    assert hits[0][0].iri == "r/SovietInvasionOfPoland"
    assert hits[0][0].label == "Soviet invasion of Poland"


def test_prefix_beats_a_match_inside_a_word():
    names = [entity.iri for entity, _ in index().search("soviet")]
    assert names[:2] == ["r/SovietUnion", "r/SovietInvasionOfPoland"]


def test_a_word_inside_a_label_matches():
    assert [e.iri for e, _ in index().search("wolyn")] == ["r/WlodzimierzWolynski"]


def test_the_local_name_of_an_iri_matches_too():
    assert [e.iri for e, _ in index().search("WlodzimierzW")] == ["r/WlodzimierzWolynski"]


def test_empty_text_finds_nothing_and_limit_is_kept():
    assert index().search("  ") == []
    assert len(index().search("o", limit=2)) == 2


def test_labels_of_gives_the_label_to_show():
    assert index().labels_of(["r/Luck", "http://elsewhere/x"]) == {"r/Luck": "Łuck"}
