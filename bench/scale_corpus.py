"""Synthetic council documents for the scale benchmark: a Zipf vocabulary, realistic headings,
councils, a few defined acronyms, and random unit vectors (no embedder), made the same way for a
given seed, one document at a time so a million chunks never sit in memory at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DIM = 384  # MiniLM's dimension, so Chroma stores and searches what it would in production
DOMAIN = ("service customer digital council data staff contact model design principle housing care budget saving "
          "channel board meeting governance decision process change skills insight library waste parking transport "
          "school children adult health community partner resident online phone assessment review strategy plan "
          "performance outcome risk finance procurement contract system technology workforce culture leadership").split()
SYLLABLES = ("ba be bi bo bu da de di do du fa fe fi fo ga ge go ka ke ki ko la le li lo lu ma me mi mo mu na ne ni "
             "no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za ze zo").split()
PLACES = ("North South East West Upper Lower Great Little Old New High Saint Market King's Queen's").split()
ROOTS = ("ford bury ham ton wick field worth minster stow bridge mouth dale moor wood castle chester").split()
STEMS = ("Aber Ash Bel Black Brad Brom Carl Chel Dor Elm Fair Glen Hal Hart Ken Lang Mal Nor Ox Pen Red Rich "
         "Sal Shel Stan Sut Tam Thorn Wal Wey Wil Win").split()
KINDS = ("strategy", "scrutiny report", "case study", "consultation draft", "cabinet report", "business case")
TOPICS = ("Customer Access", "Digital and Technology", "People and Skills", "Governance and Decision Making",
          "Service and Process Design", "Data Insights and Evidence", "Finance and Savings", "Partnerships",
          "Our Design Principles", "Implementation Roadmap", "Risks and Mitigations", "Measures of Success")
SUBTOPICS = ("Digital by default", "Smaller and Leaner", "Flexible and Agile", "Early help", "Single front door",
             "Self-service", "One team", "Commissioning", "Locality working", "Data driven")
ACRONYMS = (("Target Operating Model", "TOM"), ("Customer Relationship Management", "CRM"),
            ("Adult Social Care", "ASC"), ("Special Educational Needs", "SEN"), ("Medium Term Financial Strategy", "MTFS"))


@dataclass(frozen=True)
class Document:
    name: str
    council: str
    title: str
    ids: list[str]
    texts: list[str]
    vectors: np.ndarray
    metadatas: list[dict]


class Corpus:
    """The vocabulary and councils for one seed; `document(i)` is always the same document."""

    def __init__(self, seed: int = 7, vocabulary: int = 50_000, councils: int = 400, words: int = 150) -> None:
        rng = np.random.default_rng(seed)
        made = {"".join(rng.choice(SYLLABLES, size=int(rng.integers(2, 5)))) for _ in range(vocabulary * 2)}
        self.vocab = list(DOMAIN) + sorted(made - set(DOMAIN))[: vocabulary - len(DOMAIN)]
        ranks = np.arange(1, len(self.vocab) + 1)
        weights = 1.0 / (ranks + 2.7) ** 1.07  # Zipf-Mandelbrot, as in running English text
        self.cdf = np.cumsum(weights / weights.sum())
        names = sorted({f"{rng.choice(STEMS)}{rng.choice(ROOTS)}" for _ in range(councils * 4)})
        rng.shuffle(names)
        kinds = ("Borough Council", "District Council", "County Council", "City Council", "Council")
        self.councils = [f"{rng.choice(PLACES)} {name} {rng.choice(kinds)}" if i % 3 == 0 else f"{name} {rng.choice(kinds)}"
                         for i, name in enumerate(names[:councils])]
        self.seed, self.words = seed, words

    def word(self, rank: int) -> str:
        """The vocabulary's word of this frequency rank (0 is the most frequent)."""
        return self.vocab[rank]

    def document(self, number: int, chunks: int | None = None) -> Document:
        rng = np.random.default_rng((self.seed, number))
        chunks = chunks or int(rng.integers(40, 161))  # 100 on average
        council = self.councils[number % len(self.councils)]
        kind = KINDS[number % len(KINDS)]
        year = 2015 + number % 11
        title = f"{council} {kind.title()} {year}: Target Operating Model"
        name = f"{council.lower().replace(' ', '-')}-{kind.replace(' ', '-')}-{number}.txt"
        texts, metadatas = [], []
        sections = _sections(rng, chunks)
        for index in range(chunks):
            texts.append(self._text(rng, index))
            metadatas.append({"document": name, "title": title, "council": council, "kind": kind, "date": str(year),
                              "status": "published", "section": sections[index], "chunk_index": index,
                              "doc_hash": f"synthetic-{self.seed}-{number}", "file_name": name, "source": f"/synthetic/{name}"})
        vectors = rng.normal(size=(chunks, DIM)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        ids = [f"{name}#{i:04d}" for i in range(chunks)]
        return Document(name, council, title, ids, texts, vectors, metadatas)

    def _text(self, rng: np.random.Generator, index: int) -> str:
        ranks = np.searchsorted(self.cdf, rng.random(int(rng.integers(self.words // 2, self.words * 3 // 2))))
        words = [self.vocab[min(r, len(self.vocab) - 1)] for r in ranks]
        sentences = [" ".join(words[i:i + 12]).capitalize() + "." for i in range(0, len(words), 12)]
        if index % 25 == 0:  # now and then a definition, as real documents have
            long, short = ACRONYMS[int(rng.integers(len(ACRONYMS)))]
            sentences.insert(0, f"The {long} ({short}) sets out how we will work.")
        return " ".join(sentences)


def _sections(rng: np.random.Generator, chunks: int) -> list[str]:
    """Section paths in runs of a few chunks, as headings divide a real document."""
    paths: list[str] = []
    number = 0
    while len(paths) < chunks:
        number += 1
        topic = TOPICS[int(rng.integers(len(TOPICS)))]
        path = f"{number}. {topic}"
        if rng.random() < 0.5:
            path += f" > {SUBTOPICS[int(rng.integers(len(SUBTOPICS)))]}"
        paths.extend([path] * int(rng.integers(1, 6)))
    return paths[:chunks]
