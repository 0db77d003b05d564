"""The sample shoot: one synthetic behind-the-scenes afternoon seen by two crew cameras.

The *world* is one continuous timeline of true time of day (exact ``Fraction`` seconds since
midnight, 48 kHz samples): conversation, three takes of scene 12 (slate, clap, dialogue,
"cut!"), more conversation, silences.  Camera A (23.976 NDF, jam-synced: its start timecode is
the true time of day) and camera B (a phone at 29.97 DF whose clock runs 2 s 17 frames
ahead, never jam-synced) roll over overlapping parts of it, so both hear the same claps and
voices.  Everything is decided here, in one plan, before anything is written:
:func:`shoot_plan` returns it and ``shoot.json`` records it.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from btslog.errors import BtslogError, InvalidInput
from btslog.samples import _timecode as tc
from btslog.samples.spec import (
    SAMPLE_RATE,
    SHOOT_DAY,
    AudioProfile,
    ClapEvent,
    ClipSpec,
    FaceKey,
    FaceTrack,
    SpeechEvent,
    TakeEvent,
)

SHOOT_SCHEMA = "btslog.sample-shoot/1"
SIZES = {"small": (640, 360), "full": (1920, 1080)}
ENCODING = {  # size -> (crf, x264 preset, AAC bit rate)
    "small": (24, "medium", 96_000),
    "full": (20, "veryfast", 192_000),
}
RATE_A = Fraction(24000, 1001)
RATE_B = Fraction(30000, 1001)
B_CLOCK_OFFSET_LABEL = "+00:00:02;17"
B_CLOCK_OFFSET = Fraction(2) + Fraction(17, 30)  # camera B's timecode minus true time of day
WORLD_ORIGIN = Fraction(14 * 3600 + 3 * 60 + 10)  # 14:03:10 true time of day

# fmt: off
PEOPLE = (
    {"id": "eileen", "name": "Eileen Collins", "role": "actor", "consent": "released",
     "photo": "people/eileen.jpg", "portrait": "astronaut",
     "source": "scikit-image data/astronaut.png (NASA portrait, public domain)"},
    {"id": "grace", "name": "Grace Hopper", "role": "script supervisor", "consent": "opted_out",
     "photo": "people/grace.jpg", "portrait": "grace_hopper",
     "source": "matplotlib sample_data/grace_hopper.jpg (US Navy portrait, public domain)"},
)
# fmt: on
# Off-screen voices: heard, never seen.
VOICES_ONLY = (
    {"id": "director", "role": "director"},
    {"id": "actor2", "role": "actor (off screen)"},
)

Progress = Callable[[str, int, int], None]


def _s(text: str) -> Fraction:
    """World seconds after 14:03:10 from a decimal string (millisecond steps = whole samples)."""
    return WORLD_ORIGIN + Fraction(text)


# The world, in order.  (start, end, speaker, kind)
SPEECH = (
    ("2.6", "4.3", "director", "conversation"),
    ("4.6", "6.3", "grace", "conversation"),
    ("9.0", "12.3", "eileen", "dialogue"),
    ("12.6", "14.8", "actor2", "dialogue"),
    ("15.3", "15.8", "director", "call"),
    ("16.4", "19.0", "grace", "conversation"),
    ("19.3", "20.9", "director", "conversation"),
    ("27.6", "31.0", "eileen", "dialogue"),
    ("31.3", "33.3", "actor2", "dialogue"),
    ("33.8", "34.3", "director", "call"),
    ("34.9", "37.0", "director", "conversation"),
    ("37.3", "38.9", "eileen", "conversation"),
    ("41.4", "43.9", "eileen", "dialogue"),
    ("44.2", "45.6", "actor2", "dialogue"),
    ("46.0", "46.5", "director", "call"),
)
# (scene, take, slate up, approximate clap, end of the "cut!" call); claps are moved onto a
# frame start of the camera-A clip that records them.
TAKES = (
    ("12", 1, "7.0", "8.2", "15.8"),
    ("12", 2, "25.6", "26.8", "34.3"),
    ("12", 3, "39.4", "40.6", "46.5"),
)


@dataclass(frozen=True)
class CameraClip:
    """One clip of the day: where it goes on the card, when it rolled, what it shows."""

    name: str
    camera: str
    folder: str  # on its card, relative to the shoot folder
    start_tc: str
    frames: int
    rate: Fraction
    drop_frame: bool
    vfr: bool
    look: str
    faces: tuple[FaceTrack, ...]  # front first: the actor stands in front of the crew
    pan: tuple[tuple[float, float], ...]
    audio: AudioProfile
    metadata: tuple[tuple[str, str], ...] = ()

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.name}"

    @property
    def stem(self) -> str:
        return self.name.rsplit(".", 1)[0]

    @property
    def clock_offset(self) -> Fraction:
        return B_CLOCK_OFFSET if self.camera == "B" else Fraction(0)

    @property
    def world_start(self) -> Fraction:
        """True time of day of the first frame: the start label minus the camera's clock offset."""
        return tc.label_seconds(self.start_tc, self.rate) - self.clock_offset

    @property
    def duration(self) -> Fraction:
        return Fraction(self.frames) / self.rate


def _keys(*rows: tuple[float, float, float, float]) -> tuple[FaceKey, ...]:
    return tuple(FaceKey(*row) for row in rows)


def _handheld(keys: tuple[FaceKey, ...], seed: int, amount: float = 0.012) -> tuple[FaceKey, ...]:
    """Keys resampled every 0.25 s with a small deterministic sway (a handheld camera)."""
    from btslog.samples.render import interpolate_keys

    start, end = keys[0].time, keys[-1].time
    steps = max(1, round((end - start) / 0.25))
    result = []
    for step in range(steps + 1):
        time = start + (end - start) * step / steps
        x, y, width = interpolate_keys(keys, time)
        sway_x = amount * (math.sin(1.7 * time + seed) + 0.5 * math.sin(4.1 * time + 2 * seed))
        sway_y = amount * 0.8 * math.sin(2.3 * time + 0.5 * seed)
        result.append(
            FaceKey(round(time, 3), round(x + sway_x, 5), round(y + sway_y, 5), round(width, 5))
        )
    return tuple(result)


# fmt: off
def _cameras() -> tuple[CameraClip, ...]:
    a_audio = AudioProfile(gain_db=0.0, tilt=0.0, noise_dbfs=-62.0, right_gain_db=-0.4)
    b_audio = AudioProfile(gain_db=-3.0, tilt=0.35, noise_dbfs=-56.0, right_gain_db=-1.0)
    phone = (
        ("com.apple.quicktime.make", "Apple"),
        ("com.apple.quicktime.model", "iPhone 15 Pro"),
        ("com.apple.quicktime.software", "18.1"),
    )
    a1 = CameraClip(
        name="A001C001.MP4", camera="A", folder="cardA/PRIVATE/M4ROOT/CLIP",
        start_tc="14:03:12:00", frames=480, rate=RATE_A, drop_frame=False, vfr=False, look="A",
        faces=(
            # The actor walks in from the left (partly out of frame), plays the take near the
            # middle, then steps back (a smaller face) while the script supervisor comes in.
            FaceTrack("eileen", _keys(
                (0.0, -0.03, 0.42, 0.12), (2.5, 0.22, 0.44, 0.14), (5.0, 0.50, 0.40, 0.16),
                (8.0, 0.44, 0.42, 0.17), (11.0, 0.52, 0.40, 0.18), (13.5, 0.47, 0.41, 0.17),
                (15.0, 0.30, 0.43, 0.13), (17.5, 0.24, 0.45, 0.10), (20.1, 0.20, 0.46, 0.095),
            )),
            FaceTrack("grace", _keys(
                (0.0, 0.80, 0.36, 0.11), (3.0, 0.84, 0.37, 0.115), (4.2, 0.97, 0.38, 0.12),
                (5.0, 1.20, 0.38, 0.12), (13.0, 1.20, 0.38, 0.13), (14.2, 1.00, 0.40, 0.14),
                (16.5, 0.78, 0.42, 0.16), (20.1, 0.66, 0.40, 0.15),
            )),
        ),
        pan=((0.0, 0.20), (6.0, 0.22), (14.0, 0.25), (16.0, 0.32), (20.1, 0.32)),
        audio=a_audio,
    )
    a2 = CameraClip(
        name="A001C002.MP4", camera="A", folder="cardA/PRIVATE/M4ROOT/CLIP",
        start_tc="14:03:34:00", frames=480, rate=RATE_A, drop_frame=False, vfr=False, look="A",
        faces=(
            # A tighter take 2 with a quick head turn, then conversation and take 3.
            FaceTrack("eileen", _keys(
                (0.0, 0.40, 0.42, 0.15), (2.0, 0.45, 0.44, 0.19), (5.0, 0.50, 0.45, 0.21),
                (8.6, 0.46, 0.44, 0.20), (9.0, 0.66, 0.44, 0.20), (9.5, 0.60, 0.45, 0.19),
                (12.0, 0.42, 0.46, 0.14), (14.5, 0.36, 0.46, 0.13), (16.0, 0.48, 0.42, 0.17),
                (20.1, 0.52, 0.42, 0.18),
            )),
            # Far in the back at first (a small face), then across and out at the top right.
            FaceTrack("grace", _keys(
                (0.0, 0.86, 0.30, 0.06), (8.0, 0.88, 0.31, 0.065), (10.5, 0.86, 0.34, 0.09),
                (12.5, 0.84, 0.40, 0.12), (14.0, 0.92, 0.30, 0.12), (15.0, 1.02, 0.10, 0.12),
                (16.0, 1.20, 0.00, 0.12), (20.1, 1.20, 0.00, 0.12),
            )),
        ),
        pan=((0.0, 0.40), (10.0, 0.40), (11.0, 0.30), (20.1, 0.30)),
        audio=a_audio,
    )
    b1 = CameraClip(
        name="B001_0001.MOV", camera="B", folder="cardB/DCIM/100MEDIA",
        start_tc="14:03:17;17", frames=450, rate=RATE_B, drop_frame=True, vfr=False, look="B",
        faces=(
            FaceTrack("eileen", _handheld(_keys(
                (0.0, 0.70, 0.44, 0.16), (3.5, 0.64, 0.44, 0.20), (7.0, 0.60, 0.45, 0.23),
                (10.5, 0.62, 0.44, 0.22), (12.0, 0.85, 0.45, 0.20), (13.5, 1.02, 0.46, 0.19),
                (15.1, 1.10, 0.46, 0.18),
            ), seed=1)),
            FaceTrack("grace", _handheld(_keys(
                (0.0, -0.25, 0.40, 0.15), (10.8, -0.25, 0.40, 0.15), (12.0, 0.02, 0.41, 0.15),
                (13.5, 0.22, 0.42, 0.16), (15.1, 0.30, 0.42, 0.17),
            ), seed=2)),
        ),
        pan=tuple((t / 4, 0.5 + 0.015 * math.sin(1.3 * t / 4)) for t in range(61)),
        audio=b_audio,
        metadata=phone + (("com.apple.quicktime.software", "FiLMiC Pro 7"),),
    )
    img = CameraClip(
        name="IMG_0002.MOV", camera="B", folder="cardB/DCIM/100MEDIA",
        start_tc="14:03:44;17", frames=450, rate=RATE_B, drop_frame=True, vfr=True, look="B",
        faces=(
            FaceTrack("eileen", _handheld(_keys(
                (0.0, 0.62, 0.46, 0.20), (3.0, 0.58, 0.45, 0.24), (5.8, 0.56, 0.45, 0.25),
                (6.3, 0.36, 0.46, 0.25), (8.0, 0.45, 0.45, 0.26), (11.0, 0.52, 0.44, 0.28),
                (13.0, 0.48, 0.45, 0.26), (15.1, 0.50, 0.45, 0.25),
            ), seed=3, amount=0.015)),
            # The opted-out script supervisor is half out of frame at the left, then leaves.
            FaceTrack("grace", _handheld(_keys(
                (0.0, 0.03, 0.38, 0.17), (1.5, 0.05, 0.39, 0.17), (2.8, -0.06, 0.40, 0.17),
                (3.6, -0.30, 0.40, 0.17), (15.1, -0.30, 0.40, 0.17),
            ), seed=4, amount=0.015)),
        ),
        pan=tuple(
            (t / 4, (0.3 if t / 4 < 5.8 else 0.75) + 0.02 * math.sin(1.1 * t / 4))
            for t in range(61)
        ),
        audio=b_audio,
        metadata=phone,
    )
    return a1, a2, b1, img
# fmt: on


def _unknown_tracks(count: int) -> tuple[FaceTrack, ...]:
    """Background extras cut from the face-model package's photos (``full`` only, never kept)."""
    from btslog.samples import faces as heads

    folder = heads.face_model_dir()
    if folder is None or not (folder / "unknowns").is_dir():
        return ()
    tracks: list[FaceTrack] = []
    for photo in sorted((folder / "unknowns").glob("*.jpg")):
        if len(tracks) >= count:
            break
        try:
            image, (x1, y1, x2, y2) = heads.portrait_and_face(photo)
        except BtslogError:
            continue
        if x2 - x1 < 80 or x1 < 0.3 * (x2 - x1) or y1 < 0.4 * (y2 - y1):
            continue  # too small, or too close to the photo's edge to cut a head out
        if x2 + 0.3 * (x2 - x1) > image.shape[1]:
            continue
        number = len(tracks) + 1
        start, lane, width = 1.0 + 5.0 * (number - 1), 0.19 + 0.035 * number, 0.05 - 0.004 * number
        enter, leave = (-0.08, 1.08) if number % 2 else (1.08, -0.08)
        tracks.append(
            FaceTrack(
                f"unknown:{number}",
                _keys(
                    (start, enter, lane, width),
                    (start + 8.0, leave, lane + 0.01, width),
                ),
                portrait=photo,
            )
        )
    return tuple(tracks)


@dataclass(frozen=True)
class ShootPlan:
    size: str
    width: int
    height: int
    clips: tuple[CameraClip, ...]
    specs: tuple[ClipSpec, ...]
    manifest: dict[str, Any]


def _world_events() -> tuple[list[tuple], list[tuple]]:
    speech = [(_s(a), _s(b), speaker, kind) for a, b, speaker, kind in SPEECH]
    takes = [(scene, take, _s(up), _s(clap), _s(end)) for scene, take, up, clap, end in TAKES]
    return speech, takes


def _snap_claps(clips: tuple[CameraClip, ...], takes: list[tuple]) -> list[tuple]:
    """Move each clap onto the start of a frame of the camera-A clip that records it."""
    snapped = []
    for scene, take, up, clap, end in takes:
        for clip in clips:
            if clip.camera == "A" and clip.world_start <= clap < clip.world_start + clip.duration:
                frame = round((clap - clip.world_start) * clip.rate)
                clap = clip.world_start + Fraction(frame) / clip.rate
                break
        snapped.append((scene, take, up, clap, end))
    return snapped


def _creation_time(clip: CameraClip) -> str:
    clock = clip.world_start + clip.clock_offset
    seconds = math.floor(clock)
    return f"{SHOOT_DAY}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}Z"


def shoot_plan(size: str = "small", *, unknown_faces: int | None = None) -> ShootPlan:
    """Everything the shoot will contain, decided up front (no media is touched)."""
    if size not in SIZES:
        raise InvalidInput(f"unknown sample size {size!r}", hint="use --size small or --size full")
    width, height = SIZES[size]
    crf, preset, audio_bitrate = ENCODING[size]
    clips = _cameras()
    extras: tuple[FaceTrack, ...] = ()
    if size == "full":
        extras = _unknown_tracks(3 if unknown_faces is None else unknown_faces)
    speech, takes = _world_events()
    takes = _snap_claps(clips, takes)
    specs = []
    for number, clip in enumerate(clips):
        start = clip.world_start
        creation = _creation_time(clip)
        metadata = clip.metadata
        if clip.metadata:
            metadata = (
                *[(k, v) for k, v in clip.metadata],
                ("com.apple.quicktime.creationdate", creation.replace("Z", "+0000")),
            )
        specs.append(
            ClipSpec(
                frames=clip.frames,
                width=width,
                height=height,
                rate=clip.rate,
                drop_frame=clip.drop_frame,
                start_tc=clip.start_tc,
                vfr=clip.vfr,
                # Drawn back to front: extras, then the clip's people (listed front first).
                faces=tuple(_offset_track(track, number) for track in extras)
                + tuple(reversed(clip.faces)),
                claps=tuple(
                    ClapEvent(
                        time=clap - start, scene=scene, take=take, slate_lead=clap - up, seed=take
                    )
                    for scene, take, up, clap, _ in takes
                ),
                speech=tuple(
                    SpeechEvent(begin - start, end - start, speaker, kind, seed=index)
                    for index, (begin, end, speaker, kind) in enumerate(speech)
                ),
                takes=tuple(
                    TakeEvent(scene, take, up - start, clap - start, end - start)
                    for scene, take, up, clap, end in takes
                ),
                look=clip.look,
                pan=clip.pan,
                seed=number + 1,
                audio=clip.audio,
                audio_bitrate=audio_bitrate,
                crf=crf,
                preset=preset,
                creation_time=creation,
                metadata=_dedupe(metadata),
                name=clip.name,
                roll=f"{clip.camera}001",
                world_start=start,
            )
        )
    manifest = _manifest(size, width, height, clips, takes, speech, extras)
    return ShootPlan(size, width, height, clips, tuple(specs), manifest)


def _dedupe(metadata: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Later keys win (the app's software name over the phone's)."""
    merged: dict[str, str] = {}
    for key, value in metadata:
        merged[key] = value
    return tuple(merged.items())


def _offset_track(track: FaceTrack, clip_number: int) -> FaceTrack:
    """The same extra walks through each clip at a slightly different moment."""
    keys = tuple(replace(key, time=key.time + 1.5 * clip_number) for key in track.keys)
    return replace(track, keys=keys)


def _seconds(value: Fraction) -> dict[str, Any]:
    return {"exact": str(value), "seconds": round(float(value), 6)}


def _manifest(size, width, height, clips, takes, speech, extras) -> dict[str, Any]:
    world_end = max(clip.world_start + clip.duration for clip in clips)
    return {
        "schema": SHOOT_SCHEMA,
        "title": "Making of: scene 12 (synthetic sample shoot)",
        "generator": "btslog samples make",
        "size": size,
        "width": width,
        "height": height,
        "shoot_day": SHOOT_DAY,
        "world": {
            "clock": "true time of day, seconds since midnight (exact fractions)",
            "start": _seconds(WORLD_ORIGIN),
            "end": _seconds(world_end),
            "sample_rate": SAMPLE_RATE,
            "timecode_convention": (
                "a clip's start timecode label hh:mm:ss:ff stands for hh*3600+mm*60+ss+ff/n "
                "seconds of its camera's clock (n = 24 at 23.976, 30 at 29.97 DF); camera "
                "clock = true time of day + the camera's offset"
            ),
        },
        "cameras": [
            {
                "id": "A",
                "card": "cardA",
                "kind": "Sony-style cinema camera (XAVC-like MP4)",
                "rate": str(RATE_A),
                "drop_frame": False,
                "jam_synced": True,
                "clock_offset": {"label": "+00:00:00:00", **_seconds(Fraction(0)), "samples": 0},
            },
            {
                "id": "B",
                "card": "cardB",
                "kind": "phone (app clips CFR, camera-app clips VFR)",
                "rate": str(RATE_B),
                "drop_frame": True,
                "jam_synced": False,
                "clock_offset": {
                    "label": B_CLOCK_OFFSET_LABEL,
                    **_seconds(B_CLOCK_OFFSET),
                    "samples": int(B_CLOCK_OFFSET * SAMPLE_RATE),
                    "frames_at_rate": round(float(B_CLOCK_OFFSET * RATE_B), 6),
                },
            },
        ],
        "clips": [
            {
                "name": clip.name,
                "camera": clip.camera,
                "path": clip.path,
                "truth": f"truth/{clip.stem}.json",
                "sidecars": [f"{clip.folder}/{clip.stem}M01.XML"] if clip.camera == "A" else [],
                "rate": str(clip.rate),
                "drop_frame": clip.drop_frame,
                "vfr": clip.vfr,
                "frames": clip.frames,
                "start_tc": clip.start_tc,
                "world_start": _seconds(clip.world_start),
                "world_end": _seconds(clip.world_start + clip.duration),
            }
            for clip in clips
        ],
        "people": [
            {key: value for key, value in person.items() if key != "portrait"} for person in PEOPLE
        ],
        "voices_only": list(VOICES_ONLY),
        "unknown_faces": [track.identity for track in extras],
        "events": {
            "takes": [
                {
                    "scene": scene,
                    "take": take,
                    "slate": _seconds(up),
                    "clap": _seconds(clap),
                    "end": _seconds(end),
                }
                for scene, take, up, clap, end in takes
            ],
            "speech": [
                {"speaker": speaker, "kind": kind, "start": _seconds(begin), "end": _seconds(end)}
                for begin, end, speaker, kind in speech
            ],
        },
        "junk": ["cardB/.DS_Store", "cardB/DCIM/100MEDIA/._B001_0001.MOV"],
    }


# --- writing -------------------------------------------------------------------------------


def _is_previous_shoot(directory: Path) -> bool:
    manifest = directory / "shoot.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and str(data.get("schema", "")).startswith("btslog.sample-shoot/")


def check_target(directory: Path) -> None:
    """Refuse a folder that holds something other than a previous sample shoot."""
    if directory.exists() and not directory.is_dir():
        raise InvalidInput(
            f"{directory} is a file, not a folder",
            hint="give a new or empty folder for the sample shoot",
        )
    if directory.is_dir() and any(directory.iterdir()) and not _is_previous_shoot(directory):
        raise InvalidInput(
            f"{directory} is not empty and does not hold a previous sample shoot (no shoot.json)",
            hint="give a new or empty folder, or the folder of an earlier 'btslog samples make'",
        )


def sony_sidecar(clip: CameraClip, width: int, height: int) -> str:
    """A small Sony NonRealTimeMeta-style XML: start timecode (LTC, BCD FFSSMMHH), duration."""
    label = clip.start_tc
    hh, mm, ss, ff = label[0:2], label[3:5], label[6:8], label[9:11]
    last = tc.format_timecode(
        tc.parse_timecode(label, clip.rate) + clip.frames - 1, clip.rate, clip.drop_frame
    )
    lh, lm, ls, lf = last[0:2], last[3:5], last[6:8], last[9:11]
    created = _creation_time(clip).replace("Z", "+00:00")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<NonRealTimeMeta xmlns="urn:schemas-professionalDisc:nonRealTimeMeta:ver.2.00" \
xmlns:lib="urn:schemas-professionalDisc:lib:ver.2.00" lastUpdate="{created}">
\t<TargetMaterial umidRef="060A2B340101010501010D4313000000{clip.stem.encode().hex().upper()}"/>
\t<Duration value="{clip.frames}"/>
\t<LtcChangeTable tcFps="24" halfStep="false">
\t\t<LtcChange frameCount="0" value="{ff}{ss}{mm}{hh}" status="increment"/>
\t\t<LtcChange frameCount="{clip.frames - 1}" value="{lf}{ls}{lm}{lh}" status="end"/>
\t</LtcChangeTable>
\t<CreationDate value="{created}"/>
\t<VideoFormat>
\t\t<VideoRecPort port="DIRECT"/>
\t\t<VideoFrame videoCodec="AVC_{width}_{height}_HP@L41" captureFps="23.98p" formatFps="23.98p"/>
\t\t<VideoLayout pixel="{width}" numOfVerticalLine="{height}" aspectRatio="16:9"/>
\t</VideoFormat>
\t<AudioFormat numOfChannel="2">
\t\t<AudioRecPort port="DIRECT" audioCodec="AAC" trackDst="CH1"/>
\t\t<AudioRecPort port="DIRECT" audioCodec="AAC" trackDst="CH2"/>
\t</AudioFormat>
\t<Device manufacturer="Sony" modelName="ILME-FX6V" serialNo="0000000"/>
\t<RecordingMode type="normal" cacheRec="false"/>
</NonRealTimeMeta>
"""


def media_pro(clips: tuple[CameraClip, ...]) -> str:
    rows = "".join(
        f'\t\t<Material uri="./Clip/{clip.name}" type="MP4" videoType="AVC" audioType="AAC" '
        f'fps="23.98p" dur="{clip.frames}" ch="2" umid="060A2B340101010501010D4313000000'
        f'{clip.stem.encode().hex().upper()}">\n'
        f'\t\t\t<RelevantInfo uri="./Clip/{clip.stem}M01.XML" type="XML"/>\n\t\t</Material>\n'
        for clip in clips
        if clip.camera == "A"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<MediaProfile xmlns="http://xmlns.sony.net/pro/metadata/mediaprofile" createdAt="'
        f'{SHOOT_DAY}T14:00:00+00:00" version="2.20">\n'
        '\t<Properties><System systemId="0000000" systemKind="ILME-FX6V"/></Properties>\n'
        f"\t<Contents>\n{rows}\t</Contents>\n</MediaProfile>\n"
    )


def _write_bytes(path: Path, data: bytes) -> None:
    from btslog.media.ffmpeg import atomic_output

    with atomic_output(path) as partial:
        partial.write_bytes(data)


def _write_jpeg(path: Path, rgb) -> None:
    import cv2

    ok, encoded = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 92]
    )
    if not ok:
        raise BtslogError(f"{path}: cannot encode the reference photo")
    _write_bytes(path, encoded.tobytes())


def appledouble(name: str) -> bytes:
    """A minimal AppleDouble header (the ``._name`` a Mac leaves on a FAT card)."""
    header = bytes.fromhex("00051607") + bytes.fromhex("00020000") + b"Mac OS X        "
    entry = (2).to_bytes(2, "big") + (9).to_bytes(4, "big") + (50).to_bytes(4, "big")
    entry += (32).to_bytes(4, "big")
    body = b"\x00" * (50 - len(header) - len(entry)) + b"ATTR" + name.encode()[:28].ljust(28, b"\0")
    return header + entry + body


def make_shoot(
    directory: str | os.PathLike,
    size: str = "small",
    *,
    progress: Progress | None = None,
    unknown_faces: int | None = None,
) -> ShootPlan:
    """Write the whole sample shoot into ``directory`` and return its plan.

    ``directory`` must be new, empty, or a previous sample shoot (it is then regenerated in
    place; files that are not the shoot's, such as a README, are left alone).  Each file is
    written under a temporary name and renamed when complete.  ``progress(clip, done, total)``
    is called as frames are rendered.
    """
    from btslog.samples import faces as heads
    from btslog.samples.render import render_clip
    from btslog.samples.truth import dumps, write_text_atomic

    directory = Path(directory)
    check_target(directory)
    heads.require_portraits()
    plan = shoot_plan(size, unknown_faces=unknown_faces)
    directory.mkdir(parents=True, exist_ok=True)
    # The plan first: it marks the folder as a sample shoot, so an interrupted run can resume.
    write_text_atomic(directory / "shoot.json", dumps(plan.manifest))
    for person in PEOPLE:
        _write_jpeg(directory / person["photo"], heads.reference_photo(person["portrait"]))
    for clip, spec in zip(plan.clips, plan.specs, strict=True):
        target = directory / clip.path

        def report(done: int, total: int, name: str = clip.name) -> None:
            if progress is not None:
                progress(name, done, total)

        truth = render_clip(spec, target, progress=report)
        truth = replace(truth, camera=clip.camera, path=clip.path)
        truth.write(directory / "truth" / f"{clip.stem}.json")
        if clip.camera == "A":
            write_text_atomic(
                directory / clip.folder / f"{clip.stem}M01.XML",
                sony_sidecar(clip, plan.width, plan.height),
            )
    write_text_atomic(directory / "cardA/PRIVATE/M4ROOT/MEDIAPRO.XML", media_pro(plan.clips))
    _write_bytes(directory / "cardB/.DS_Store", b"\x00\x00\x00\x01Bud1" + b"\x00" * 24)
    _write_bytes(directory / "cardB/DCIM/100MEDIA/._B001_0001.MOV", appledouble("B001_0001.MOV"))
    return plan
