#!/usr/bin/python3
"""Headless QGIS (3.22) on a PostGIS table, through its own PostgreSQL provider, as a QGIS user
opens one: the counterpart of `corridor bench-frames --db URL --table T`.

    QT_QPA_PLATFORM=offscreen scripts/qgis-render-table.py HOST PORT DB USER SCHEMA.TABLE OUT.png
        [--zoom F] [--size 1920x1080]

Renders the table's whole extent into a 1920x1080 image (the first complete frame), then the
central 1/F x 1/F of it (a view at the zoom where Corridor shows rows), twice: once cold, once
again at a neighbouring view (a pan). Same style as ../shared/bench/qgis_render.py.

Prints one machine-readable line:
    TIMING init=... load=... extent=... render_all=... render_zoomed=... render_panned=...
"""
import argparse
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp/corridor-bench/xdg")
os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)

T0 = time.perf_counter()
from qgis.core import (Qgis, QgsApplication, QgsCoordinateReferenceSystem,  # noqa: E402
                       QgsCoordinateTransform, QgsDataSourceUri, QgsFillSymbol,
                       QgsMapRendererParallelJob, QgsMapSettings, QgsProject, QgsRectangle,
                       QgsSingleSymbolRenderer, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("host")
ap.add_argument("port")
ap.add_argument("db")
ap.add_argument("user")
ap.add_argument("table")
ap.add_argument("out")
ap.add_argument("--zoom", type=float, default=26.0)
ap.add_argument("--size", default="1920x1080")
args = ap.parse_args()

app = QgsApplication([], False)
QgsApplication.setPrefixPath("/usr", True)
QgsApplication.initQgis()
t_init = time.perf_counter() - T0

schema, table = args.table.split(".", 1)
uri = QgsDataSourceUri()
uri.setConnection(args.host, args.port, args.db, args.user, "")
uri.setDataSource(schema, table, "geom", "", "fid")
t = time.perf_counter()
layer = QgsVectorLayer(uri.uri(False), table, "postgres")
t_load = time.perf_counter() - t
if not layer.isValid():
    sys.exit("layer failed to load: " + uri.uri(False))

t = time.perf_counter()
ext = layer.extent()
nfeat = layer.featureCount()
t_extent = time.perf_counter() - t

sym = QgsFillSymbol.createSimple({
    "color": "255,140,0,100", "outline_color": "90,40,0,255",
    "outline_width": "0.2", "outline_width_unit": "MM"})
layer.setRenderer(QgsSingleSymbolRenderer(sym))
QgsProject.instance().addMapLayer(layer)

dst = QgsCoordinateReferenceSystem("EPSG:3857")
xf = QgsCoordinateTransform(layer.crs(), dst, QgsProject.instance())
full = xf.transformBoundingBox(ext)
W, H = (int(v) for v in args.size.split("x"))
ms = QgsMapSettings()
ms.setLayers([layer])
ms.setDestinationCrs(dst)
ms.setOutputSize(QSize(W, H))
ms.setBackgroundColor(QColor(255, 255, 255))
ms.setFlag(QgsMapSettings.Antialiasing, True)


def render(extent):
    ms.setExtent(extent)
    j = QgsMapRendererParallelJob(ms)
    t0 = time.perf_counter()
    j.start()
    j.waitForFinished()
    dt = time.perf_counter() - t0
    for e in j.errors():
        print("render error:", e.layerID, e.message, file=sys.stderr)
    return dt, j.renderedImage()


t_all, img = render(full)
img.save(args.out, "PNG")
c, w, h = full.center(), full.width() / args.zoom, full.height() / args.zoom
zoomed = QgsRectangle(c.x() - w / 2, c.y() - h / 2, c.x() + w / 2, c.y() + h / 2)
t_zoomed, _ = render(zoomed)
panned = QgsRectangle(c.x() + 1.5 * w, c.y() - h / 2, c.x() + 2.5 * w, c.y() + h / 2)
t_panned, _ = render(panned)
print("TIMING init=%.4f load=%.4f extent=%.4f render_all=%.4f render_zoomed=%.4f render_panned=%.4f"
      % (t_init, t_load, t_extent, t_all, t_zoomed, t_panned))
print("INFO qgis=%s features=%d zoom=%g" % (Qgis.QGIS_VERSION, nfeat, args.zoom))
QgsApplication.exitQgis()
