"""Dataframe views of loaded recordings, checked against a small hand-made recording."""

from __future__ import annotations

import pyarrow as pa
import pytest

import reel as rr


def _bytes() -> bytes:
    """frame 0..4: /world/s scalar = frame * 10; frame 2: /world/p points; static text."""
    rec = rr.new_recording(application_id="df")
    mem = rec.memory_recording()
    rec.log_text_entry("/world/log", "static note", timeless=True)
    for frame in range(5):
        rec.set_time_sequence("frame", frame)
        rec.set_time_seconds("clock", frame * 0.5)
        rec.log_scalar("/world/s", frame * 10.0)
        if frame == 2:
            rec.log_points("/world/p", [[1, 2, 3], [4, 5, 6]])
    rec.flush(blocking=True)
    return mem.drain_as_bytes()


@pytest.fixture(scope="module")
def recording_bytes():
    return _bytes()


@pytest.fixture(scope="module")
def recording(recording_bytes):
    return rr.load_recording(recording_bytes)


def test_view_select_has_one_row_per_index_value(recording):
    reader = recording.view(index="frame", contents="/world/**").select()
    assert isinstance(reader, pa.RecordBatchReader)
    table = reader.read_all()
    assert table.column("frame").to_pylist() == [0, 1, 2, 3, 4]
    assert table.column("/world/s:Scalar").to_pylist() == [[0.0], [10.0], [20.0], [30.0], [40.0]]
    points = table.column("/world/p:Position3D").to_pylist()
    assert points[0] is None and points[1] is None and len(points[2]) == 2
    assert table.column("/world/log:Text").to_pylist() == [["static note"]] * 5
    assert not any("indicators" in c for c in table.column_names)


def test_select_named_columns_and_filters(recording):
    view = recording.view(index="frame", contents={"/world/s": ["Scalar"]})
    table = view.filter_range_sequence(1, 3).select("frame", "/world/s:Scalar").read_all()
    assert table.column_names == ["frame", "/world/s:Scalar"]
    assert table.column("frame").to_pylist() == [1, 2, 3]
    table = view.filter_index_values([0, 4, 9]).select().read_all()
    assert table.column("frame").to_pylist() == [0, 4]


def test_fill_latest_at_with_chosen_index_values(recording):
    view = recording.view(index="frame", contents="/world/p").using_index_values([1, 2, 3, 10])
    sparse = view.select().read_all().column("/world/p:Position3D").to_pylist()
    assert sparse[0] is None and sparse[1] is not None and sparse[2] is None
    filled = view.fill_latest_at().select().read_all().column("/world/p:Position3D").to_pylist()
    assert filled[0] is None and filled[1] == filled[2] == filled[3]


def test_time_index_and_seconds_filter(recording):
    table = recording.view(index="clock", contents="/world/s").filter_range_secs(0.5, 1.5).select().read_all()
    assert table.column("clock").cast("int64").to_pylist() == [500_000_000, 1_000_000_000, 1_500_000_000]
    nanos = recording.view(index="clock", contents="/world/s").filter_range_nanos(0, 1).select().read_all()
    assert nanos.num_rows == 1


def test_latest_at_returns_one_row(recording):
    table = recording.latest_at("/world/s", "frame", 3)
    assert table.num_rows == 1
    assert table.column("/world/s:Scalar").to_pylist() == [[30.0]]
    assert table.column("frame").to_pylist() == [3]


def test_bad_views_raise_clear_errors(recording):
    with pytest.raises(ValueError, match='no timeline named "nope"'):
        recording.view(index="nope")
    with pytest.raises(ValueError, match="no column"):
        recording.view(index="frame").select("/missing:X")


def test_parquet_export_reads_back_like_select(recording, recording_bytes, tmp_path):
    import json

    import pyarrow.parquet as pq

    from reel import _reel

    path = tmp_path / "df.reel"
    path.write_bytes(recording_bytes)
    out = tmp_path / "parquet"
    assert _reel.cli_main(["reel", "export", "--parquet", str(out), "--index", "frame", str(path)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    entry = next(e for e in manifest["entities"] if e["entity"] == "/world/s")
    exported = pq.read_table(out / entry["file"])
    assert set(exported.column("recording_id").to_pylist()) == {recording.recording_id}
    selected = recording.view(index="frame", contents="/world/s").select().read_all()
    for name in selected.column_names:
        assert exported.column(name).to_pylist() == selected.column(name).to_pylist(), name


def test_a_file_streams_into_batches_read_one_at_a_time(tmp_path):
    # The selection comes in several batches (at most 64K rows, cut where stored chunks
    # end), computed as they are read; the file is read by the loader as it streams.
    path = tmp_path / "many.reel"
    rec = rr.new_recording(application_id="df")
    rec.save(str(path))
    for frame in range(70_000):
        rec.set_time_sequence("frame", frame)
        rec.log_scalar("/s", float(frame))
    rec.disconnect()  # Finishes the file.
    loaded = rr.load_recording(path)
    assert loaded.memory_bytes > 70_000 * 40
    reader = loaded.view(index="frame", contents="/s").select()
    first = reader.read_next_batch()
    n = first.num_rows
    assert 0 < n <= 65_536
    assert first.column(1).to_pylist()[-1] == [float(n - 1)]
    rest = reader.read_all()
    assert rest.num_rows == 70_000 - n
    assert rest.column("frame").to_pylist()[0] == n
    assert rest.column("/s:Scalar").to_pylist()[-1] == [69_999.0]
    with pytest.raises(FileNotFoundError):
        rr.load_recording(tmp_path / "missing.reel")


def test_a_native_stream_is_read_once(recording):
    stream = recording._loaded.latest_at("/world/s", "frame", 3)
    table = pa.RecordBatchReader.from_stream(stream).read_all()
    assert table.column("/world/s:Scalar").to_pylist() == [[30.0]]
    with pytest.raises(RuntimeError, match="already read"):
        pa.RecordBatchReader.from_stream(stream)
