// microplan workshop viewer: the country's zones, districts and circuits coloured by an
// indicator, the report of the clicked unit, and scenarios of proposed establishments that
// the server recomputes on every edit. Plain JavaScript over MapLibre GL JS; every number
// comes from the server's API (README.md, "Serving").
"use strict";

const TEXT = {
  es: {
    title: "microplan · taller de microplanificación", level: "Nivel", zone: "Zona", district: "Distrito",
    circuit: "Circuito", sector: "Sector", all_sectors: "Todos los sectores", indicator: "Indicador",
    coverage_pct: "Cobertura (%)", deficit: "Brecha (establecimientos)", deficit_per_10k: "Brecha por 10.000 hab.",
    population_within_minutes: "Población a X minutos", chronic_malnutrition_pct: "Desnutrición crónica infantil (%)", closing_year: "Año de cierre de la brecha",
    targets_light: "Semáforo de metas (período)", no_scorecard_unit: "sin cuadro de mando",
    scenarios: "Escenarios", baseline: "Línea base", new: "Nuevo", rename: "Renombrar", delete: "Eliminar",
    token: "Clave de edición", propose_sector: "Sector a proponer", typology: "Tipología",
    add_on_map: "Agregar en el mapa", undo: "Deshacer", compare: "Comparar con la línea base", export: "Exportar",
    click_hint: "Haga clic en una unidad para ver su informe.", no_data: "sin dato", not_available: "no disponible",
    never: "no cierra", population: "Población", current: "Actual", ideal: "Ideal", cost: "Inversión (USD)", gap: "Brecha",
    coverage: "Cobertura", closing: "Cierre", children: "Unidades que contiene", name_prompt: "Nombre del escenario",
    choose_scenario: "Elija o cree un escenario primero.", click_to_add: "Haga clic en el mapa para ubicar el establecimiento.",
    added: "Establecimiento propuesto agregado.", moved: "Establecimiento movido.", removed: "Establecimiento eliminado.",
    undone: "Última edición deshecha.", nothing_to_undo: "No hay ediciones que deshacer.",
    refused: "Edición rechazada: falta la clave de edición o no es correcta.", remove_this: "Eliminar este establecimiento",
    close_here: "Cerrar en este escenario", reopen_here: "Reabrir en este escenario", closed_done: "Establecimiento cerrado en el escenario.",
    reopened: "Establecimiento reabierto.", closed_in_scenario: "Cerrado en este escenario", closed_count: "Establecimientos cerrados: {n}",
    choose_scenario_to_close: "Elija un escenario para cerrarlo y ver quién pierde acceso.",
    closed_not_counted: "Cerrado en el escenario, pero no cuenta en la oferta (privado, sin estándar o fuera de las unidades): las cifras no cambian.",
    before: "Antes", after: "Después", newly_covered: "Personas nuevas cubiertas", changed_units: "Unidades que cambian",
    suggest: "Sugerir sitios", suggestions: "Sitios sugeridos", propose_here: "Proponer aquí",
    suggest_text: "Donde un nuevo establecimiento pone a más personas a ≤ {m} min (además de los existentes y las propuestas del escenario):",
    suggest_row: "+{p} personas; cobertura {c} %", no_suggestions: "Ningún sitio agrega personas.",
    offline_unavailable: "No disponible sin conexión: este kit lleva la línea base.", offline_note: "Kit sin conexión: línea base de {n}.",
    travel_layer: "Mapa de tiempo de viaje", travel_needs_live: "Elija un sector con tiempo de viaje guardado con su superficie.",
    travel_legend: "Verde: dentro del primer umbral; rojo: más allá del último; gris: sin acceso.",
    travel_people: "Personas según tiempo de viaje", within_min: "a ≤ {m} min", newly_within: "Personas que pasan a estar a ≤ {m} min",
    travel_needs_sector: "Elija un sector para ver cuántas personas quedan a X minutos.",
    travel_updated: "recalculado en {ms} ms sobre la superficie de fricción",
    capacity_served: "Personas atendidas dentro de la capacidad de los establecimientos (≤ {m} min)",
    computing_capacity: "Calculando la cobertura según la capacidad…",
    within_minutes_na: "Sin resultados de accesibilidad para este sector (microplan access travel-time).",
    choose_sector: "Elija un sector para ver la población a X minutos.", minutes: "Minutos",
    within_title: "Población a ≤ {m} min (%)", accessibility: "Accesibilidad (tiempo de viaje)", mean_time: "Tiempo medio",
    within_short: "≤ {m} min", confirm_delete: "¿Eliminar el escenario?",
    establishments: "Establecimientos (tamaño: nivel que atiende)",
    boundaries_only: "Este almacén no tiene estándares de servicio: el mapa muestra la población (habitantes por unidad). Importe un catálogo con «microplan standards import» para ver brechas y escenarios.",
    population_map: "Población (habitantes)", area: "Superficie (km²)", parent: "Pertenece a",
    view_main: "Continente", view_go: "Ver", views: "Vistas del mapa",
    travel_time: "Todas las vías abiertas (época seca)", travel_time_rainy: "Época lluviosa (vías de verano cerradas)",
    limitations: "Limitaciones de la superficie de fricción",
    no_land_cover: "Sin cobertura del suelo: fuera de las vías se camina a una sola velocidad en todo terreno (solo cuenta la pendiente); bosques, humedales y ríos no frenan.",
    small_scale_roads: "Vías IGM 1:1.000.000: solo las principales; faltan calles y caminos rurales, así que los tiempos están sobrestimados y el acceso subestimado.",
    planned_per: "se planifica por {l}", any_typology: "Cualquier tipología (estándar general)",
    planned_at: "{s}: sin estándar por {u}; sus estándares cuentan establecimientos y personas por {l}. Elija el nivel {L} para ver su brecha.",
    closing_gap: "Cierre de brechas", budget_scenario: "Escenario presupuestario",
    close_by: "Cerrar todas las brechas hasta el año (opcional)", show_plan: "Ver trayectoria y presupuesto",
    plan_title: "Cierre de brechas: escenario {s}", plan_gdp: "PIB creciendo {g} % al año; presupuesto {b} % del PIB ({u} USD en {y}).",
    plan_gdp_required: "PIB creciendo {g} % al año; cerrar todas las brechas hasta {c} requiere {b} % del PIB ({u} USD en {y}).",
    plan_source: "Fuente del escenario", deficit_by_year: "Brecha por año (% de la del primer año)",
    deficit_households: "Brecha (hogares sin conexión)", deficit_households_per_10k: "Hogares sin conexión por 10.000 hab.",
    households: "hogares", nation: "Nación", establishments_short: "establecimientos",
    planned_nation: "{s}: sus estándares cuentan el país como una sola unidad; su brecha está en «Cierre de brechas».",
    unfunded: "Sin financiar al final", budget_pct_gdp: "Presupuesto (% PIB)", required_title: "Cuánto cuesta cerrar todas las brechas hasta {y}",
    share_gdp: "% del PIB al año", total_usd: "Total (USD)", static_cost: "Costo estático (inversión)",
    dynamic_cost: "Costo dinámico (inversión + recurrente)", closes_in: "cierra en {y}", computing: "Calculando…",
    plan_evaluation: "Evaluación del plan", target: "Población objetivo por unidad", tolerance: "Tolerancia (%)",
    evaluate_level: "Evaluar el nivel", evaluating: "Evaluando el nivel…", criterion: "Criterio", result: "Resultado",
    failing_units: "Unidades que no cumplen", pass: "cumple", fail: "no cumple", "not checked": "no evaluado",
    crit_population: "Población (desviación del objetivo)", crit_contiguity: "Contigüidad",
    crit_compactness: "Compacidad (Polsby-Popper, Reock, envolvente convexa)", crit_nesting: "Anidamiento en el nivel superior",
    crit_splits: "Parroquias divididas sin necesidad", crit_overlaps_gaps: "Superposiciones y vacíos",
    crit_travel_time: "Tiempo de viaje a la sede (media ponderada por población)",
    plan_summary: "{n} unidades · {p} habitantes · desviación media {m} %, máxima {x} %",
    plan_passes: "El plan cumple todos los criterios evaluados.", plan_fails: "El plan no cumple {n} criterio(s); en rojo en el mapa las unidades que fallan.",
    splits_count: "{n} parroquias divididas entre unidades",
    compare_plan: "Comparar con otro plan (GeoJSON)", comparing: "Comparando los planes…", plan_comparison: "Comparación de planes",
    compare_summary: "{m} de {a} unidades del nivel emparejadas con las {b} del plan ({i} idénticas); {p} de {t} personas cambian de unidad ({pct} %); variación de la información {vi} bits.",
    changed_units: "Unidades menores que cambian de unidad", changed_areas: "En naranja en el mapa: las áreas que cambian de unidad.",
    unit_now: "Unidad del nivel", unit_plan: "Unidad del plan",
    monitoring: "Seguimiento", projects_layer: "Proyectos en el mapa", period: "Período", show_scorecard: "Cuadro de mando",
    plan_vs_actual: "Plan frente a lo real: brecha de {s}", planned: "planificada", actual: "real (registro)",
    projects: "Proyectos", status: "Estado", physical: "Avance físico", financial: "Avance financiero", executed: "Ejecutado",
    variance: "Desvío", st_planned: "planificado", st_funded: "financiado", st_in_execution: "en ejecución",
    st_finished: "terminado", st_suspended: "suspendido", no_projects: "Ningún proyecto del portafolio trabaja en esta unidad.",
    scorecard_title: "Cuadro de mando: {u}", objective: "Objetivo", indicator_col: "Indicador", target_col: "Meta",
    value_col: "Valor", achievement: "Logro", initiatives: "Iniciativas", strategy_map: "Mapa estratégico",
    no_scorecard: "No hay cuadro de mando para esta unidad.", light_green: "verde", light_yellow: "amarillo", light_red: "rojo",
    investment: "Inversión",
  },
  en: {
    title: "microplan · microplanning workshop", level: "Level", zone: "Zone", district: "District", circuit: "Circuit",
    sector: "Sector", all_sectors: "All sectors", indicator: "Indicator", coverage_pct: "Coverage (%)",
    deficit: "Gap (establishments)", deficit_per_10k: "Gap per 10,000 people", population_within_minutes: "Population within X minutes", chronic_malnutrition_pct: "Chronic child malnutrition (%)",
    closing_year: "Year the gap closes", scenarios: "Scenarios", baseline: "Baseline", new: "New", rename: "Rename",
    targets_light: "Target lights (period)", no_scorecard_unit: "no scorecard",
    delete: "Delete", token: "Edit token", propose_sector: "Sector to propose", typology: "Typology",
    add_on_map: "Add on the map", undo: "Undo", compare: "Compare with baseline", export: "Export",
    click_hint: "Click a unit to see its report.", no_data: "no data", not_available: "not available", never: "does not close",
    population: "Population", current: "Current", ideal: "Ideal", cost: "Investment (USD)", gap: "Gap", coverage: "Coverage",
    closing: "Closes", children: "Units inside", name_prompt: "Scenario name", choose_scenario: "Choose or create a scenario first.",
    click_to_add: "Click the map to place the establishment.", added: "Proposed establishment added.", moved: "Establishment moved.",
    removed: "Establishment removed.", undone: "Last edit undone.", nothing_to_undo: "Nothing to undo.",
    refused: "Edit refused: the edit token is missing or wrong.", remove_this: "Remove this establishment",
    close_here: "Close in this scenario", reopen_here: "Reopen in this scenario", closed_done: "Establishment closed in the scenario.",
    reopened: "Establishment reopened.", closed_in_scenario: "Closed in this scenario", closed_count: "Establishments closed: {n}",
    choose_scenario_to_close: "Choose a scenario to close it and see who loses access.",
    closed_not_counted: "Closed in the scenario, but it does not count in the offer (private, no standard, or outside the units): the figures do not change.",
    before: "Before", after: "After", newly_covered: "People newly covered", changed_units: "Units that change",
    suggest: "Suggest sites", suggestions: "Suggested sites", propose_here: "Propose here",
    suggest_text: "Where a new establishment brings most people within {m} min (beyond the existing ones and the scenario's proposals):",
    suggest_row: "+{p} people; coverage {c} %", no_suggestions: "No site adds people.",
    offline_unavailable: "Not available offline: this kit holds the baseline.", offline_note: "Offline kit: baseline of {n}.",
    travel_layer: "Travel-time map", travel_needs_live: "Choose a sector whose travel time was stored with its surface.",
    travel_legend: "Green: within the first threshold; red: beyond the last; grey: no access.",
    travel_people: "People by travel time", within_min: "within {m} min", newly_within: "People newly within {m} min",
    travel_needs_sector: "Choose a sector to see how many people are within X minutes.",
    travel_updated: "recomputed in {ms} ms over the friction surface",
    capacity_served: "People served within the establishments' capacity (within {m} min)",
    computing_capacity: "Computing the coverage within capacity…",
    within_minutes_na: "No accessibility results for this sector (microplan access travel-time).",
    choose_sector: "Choose a sector to see the population within X minutes.", minutes: "Minutes",
    within_title: "Population within {m} min (%)", accessibility: "Accessibility (travel time)", mean_time: "Mean time",
    within_short: "≤ {m} min", confirm_delete: "Delete the scenario?",
    establishments: "Establishments (size: the level they serve)",
    boundaries_only: "This store has no service standards: the map shows population (people per unit). Import a catalogue with `microplan standards import` to see gaps and scenarios.",
    population_map: "Population (people)", area: "Area (km²)", parent: "Belongs to",
    view_main: "Mainland", view_go: "Show", views: "Map views",
    travel_time: "Every road open (dry season)", travel_time_rainy: "Rainy season (dry-season roads closed)",
    limitations: "Limitations of the friction surface",
    no_land_cover: "No land cover: off-road, every kind of ground is walked at one speed (only slope counts); forests, wetlands and rivers do not slow anyone.",
    small_scale_roads: "IGM 1:1,000,000 roads: main roads only; streets and rural tracks are missing, so times are over-stated and access under-stated.",
    planned_per: "planned per {l}", any_typology: "Any typology (general standard)",
    planned_at: "{s}: no standard per {u}; its standards count establishments and people per {l}. Choose the {L} level to see its gap.",
    closing_gap: "Closing the gap", budget_scenario: "Budget scenario",
    close_by: "Close every gap by the year (optional)", show_plan: "Show trajectory and budget",
    plan_title: "Closing the gap: {s} scenario", plan_gdp: "GDP growing {g} % a year; budget {b} % of GDP ({u} USD in {y}).",
    plan_gdp_required: "GDP growing {g} % a year; closing every gap by {c} needs {b} % of GDP ({u} USD in {y}).",
    plan_source: "Scenario source", deficit_by_year: "Gap by year (% of the first year's)",
    deficit_households: "Gap (households not connected)", deficit_households_per_10k: "Households not connected per 10,000 people",
    households: "households", nation: "Nation", establishments_short: "establishments",
    planned_nation: "{s}: its standards count the country as one unit; its gap is under “Closing the gap”.",
    unfunded: "Unfunded at the end", budget_pct_gdp: "Budget (% of GDP)", required_title: "What closing every gap by {y} costs",
    share_gdp: "% of GDP a year", total_usd: "Total (USD)", static_cost: "Static cost (investment)",
    dynamic_cost: "Dynamic cost (investment + recurrent)", closes_in: "closes in {y}", computing: "Computing…",
    plan_evaluation: "Plan evaluation", target: "Target people per unit", tolerance: "Tolerance (%)",
    evaluate_level: "Evaluate the level", evaluating: "Evaluating the level…", criterion: "Criterion", result: "Result",
    failing_units: "Units that fail", pass: "pass", fail: "fail", "not checked": "not checked",
    crit_population: "Population (deviation from the target)", crit_contiguity: "Contiguity",
    crit_compactness: "Compactness (Polsby-Popper, Reock, convex hull)", crit_nesting: "Nesting in the level above",
    crit_splits: "Parishes split without need", crit_overlaps_gaps: "Overlaps and gaps",
    crit_travel_time: "Travel time to the seat (population-weighted mean)",
    plan_summary: "{n} units · {p} people · mean deviation {m} %, largest {x} %",
    plan_passes: "The plan passes every criterion checked.", plan_fails: "The plan fails {n} criterion(s); the failing units are red on the map.",
    splits_count: "{n} parishes split between units",
    compare_plan: "Compare with another plan (GeoJSON)", comparing: "Comparing the plans…", plan_comparison: "Plan comparison",
    compare_summary: "{m} of the level's {a} units matched with the plan's {b} ({i} identical); {p} of {t} people change unit ({pct} %); variation of information {vi} bits.",
    changed_units: "Finer units that change unit", changed_areas: "Orange on the map: the areas that change unit.",
    unit_now: "Unit of the level", unit_plan: "Unit of the plan",
    monitoring: "Monitoring", projects_layer: "Projects on the map", period: "Period", show_scorecard: "Scorecard",
    plan_vs_actual: "Plan against actual: {s} gap", planned: "planned", actual: "actual (registry)",
    projects: "Projects", status: "Status", physical: "Physical progress", financial: "Financial progress", executed: "Executed",
    variance: "Variance", st_planned: "planned", st_funded: "funded", st_in_execution: "in execution",
    st_finished: "finished", st_suspended: "suspended", no_projects: "No project of the portfolio works in this unit.",
    scorecard_title: "Scorecard: {u}", objective: "Objective", indicator_col: "Indicator", target_col: "Target",
    value_col: "Value", achievement: "Achievement", initiatives: "Initiatives", strategy_map: "Strategy map",
    no_scorecard: "No scorecard for this unit.", light_green: "green", light_yellow: "yellow", light_red: "red",
    investment: "Investment",
  },
};
const LAYER_OF = { zone: "zones", district: "districts", circuit: "circuits" };
const SECTOR_COLOURS = { health: "#d7301f", education: "#2b8cbe", security: "#4d4d4d", child_development: "#fe9929",
  water: "#17becf", sewerage: "#8c564b", electricity: "#bcbd22" };
const RAMP = ["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"];  // bad -> good

const state = {
  lang: "es", level: "circuit", sector: "", indicator: "coverage_pct", scenario: "", catalogue: null, planning: true, views: [],
  values: new Map(), selected: null, adding: false, markers: new Map(), ready: false, edits: 0,
};
const $ = (id) => document.getElementById(id);
const t = (key) => TEXT[state.lang][key] || key;
// A sector's name in the viewer's language, from the store's sectors table (/catalogue).
function sectorName(id, fallback) {
  const s = state.catalogue && state.catalogue.sectors.find((x) => x.id === id);
  if (!s) return fallback || id;
  return state.lang === "es" ? s.label : (s.label_en || id);
}
// Whether a sector is a household network: its offer, ideal and gap count households.
const isNetwork = (id) => !!(state.catalogue && state.catalogue.sectors.some((x) => x.id === id && x.counts === "households"));
// An indicator's name; a network's gap is in households.
const indicatorTitle = (key) =>
  isNetwork(state.sector) && (key === "deficit" || key === "deficit_per_10k") ? t(key.replace("deficit", "deficit_households")) : t(key);
// What a row's current, ideal and gap count, after its sector's name: "(hogares)" for a network.
const countsHint = (row) => (row.counts === "households" ? ` <small>(${t("households")})</small>` : "");
// "Health: planned per district" and the like, level names in the current language.
const plannedText = (key, sector, level) => t(key).replace("{s}", sector).replace("{u}", t(state.level).toLowerCase())
  .replace("{l}", t(level).toLowerCase()).replace("{L}", t(level));
const LEVELS = ["zone", "district", "circuit"];  // coarsest first
const fmt = (v, digits = 0) =>
  v === null || v === undefined ? t("no_data") : Number(v).toLocaleString(state.lang === "es" ? "es-EC" : "en-US",
    { maximumFractionDigits: digits });

// The offline kit (`microplan export kit`): kit-data.js holds the tiles (PMTiles) and the
// server's answers by path, parameters sorted; what it lacks is said, not fetched.
const KIT = window.MICROPLAN_KIT || null;
function kitKey(path) {
  const [p, q] = path.split("?");
  const params = [...new URLSearchParams(q || "")].filter(([, v]) => v !== "")
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return decodeURIComponent(p) + (params.length ? "?" + params.map(([k, v]) => `${k}=${v}`).join("&") : "");
}

async function api(path, options = {}) {
  if (KIT) {
    const answer = KIT.answers[kitKey(path)];
    if (answer === undefined || (options.method && options.method !== "GET")) {
      const error = new Error(t("offline_unavailable"));
      error.status = 404;
      throw error;
    }
    return answer;
  }
  const headers = Object.assign({ Accept: "application/json" }, options.headers || {});
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.method && options.method !== "GET") {
    const token = $("token").value.trim();
    if (token) headers.Authorization = "Bearer " + token;
  }
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (response.status === 204) return null;
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.message || response.statusText);
    error.status = response.status;
    throw error;
  }
  return body;
}

function say(text, isError = false) {
  const m = $("message");
  m.textContent = text;
  m.style.color = isError ? "#a01010" : "#1a6b1a";
}

function translate() {
  document.documentElement.lang = state.lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  $("lang").textContent = state.lang === "es" ? "EN" : "ES";
  labelViews();
  fillSectors();
  fillBudgetScenarios();
  labelIndicators();
  renderLegend();
  if (state.selected) showReport(state.selected);
}

// The gap indicators name what they count for the sector chosen (households for a network).
function labelIndicators() {
  for (const o of $("indicator").options)
    if (o.value === "deficit" || o.value === "deficit_per_10k") o.textContent = indicatorTitle(o.value);
}

// ---- map -----------------------------------------------------------------------------

if (KIT) {  // the tiles from the kit's PMTiles archive, held in memory: nothing is fetched
  const bytes = Uint8Array.from(atob(KIT.pmtiles), (c) => c.charCodeAt(0));
  const archive = new pmtiles.PMTiles({
    getKey: () => "kit",
    getBytes: async (offset, length) => ({ data: bytes.buffer.slice(offset, offset + length) }),
  });
  const protocol = new pmtiles.Protocol();
  protocol.add(archive);
  maplibregl.addProtocol("pmtiles", protocol.tile);
  document.body.classList.add("offline");
}
const map = new maplibregl.Map({
  container: "map",
  style: {
    version: 8,
    sources: { microplan: { type: "vector", url: KIT ? "pmtiles://kit" : "/tiles/all.json" } },
    layers: [{ id: "fondo", type: "background", paint: { "background-color": "#f4f1ea" } }],
  },
  center: [-78.5, -1.5],
  zoom: 6,
  canvasContextAttributes: { preserveDrawingBuffer: true },  // PNG export reads the canvas
  attributionControl: false,
});
map.addControl(new maplibregl.NavigationControl(), "top-right");
map.addControl(new maplibregl.ScaleControl(), "bottom-left");
window.map = map;

// `present`: the source layers the tiles hold (a store without establishments has none).
function addLayers(present) {
  for (const level of ["zone", "district", "circuit"]) {
    const layer = LAYER_OF[level];
    map.addLayer({
      id: layer + "-fill", type: "fill", source: "microplan", "source-layer": layer,
      layout: { visibility: level === state.level ? "visible" : "none" },
      paint: { "fill-color": "#cccccc", "fill-opacity": 0.75 },
    });
  }
  const line = (layer, color, width, minzoom) => map.addLayer({
    id: layer + "-line", type: "line", source: "microplan", "source-layer": layer, minzoom,
    paint: { "line-color": color, "line-width": width },
  });
  line("circuits", "#7a7a7a", 0.4, 6);
  line("districts", "#3d4a5a", 1.0, 0);
  line("zones", "#111b26", 2.2, 0);
  // The units a plan evaluation failed, outlined in red on the evaluated level.
  for (const level of LEVELS) map.addLayer({
    id: LAYER_OF[level] + "-failing", type: "line", source: "microplan", "source-layer": LAYER_OF[level],
    filter: ["in", ["get", "code"], ["literal", []]], paint: { "line-color": "#d7191c", "line-width": 2.4 },
  });
  map.addLayer({
    id: "selected-line", type: "line", source: "microplan", "source-layer": "circuits",
    paint: { "line-color": "#000", "line-width": ["case", ["boolean", ["feature-state", "selected"], false], 3, 0] },
  });
  if (present.has("establishments")) map.addLayer({
    id: "establishments", type: "circle", source: "microplan", "source-layer": "establishments", minzoom: 7,
    paint: {
      // Bigger for establishments whose standard serves a larger unit (hospital > health post).
      "circle-radius": ["interpolate", ["linear"], ["zoom"],
        7, ["match", ["get", "scale"], "zone", 4.8, "district", 3.4, 2],
        12, ["match", ["get", "scale"], "zone", 12, "district", 8.5, 5]],
      "circle-stroke-width": 0.6, "circle-stroke-color": "#fff",
      "circle-color": ["match", ["get", "sector"], ...Object.entries(SECTOR_COLOURS).flat(), "#7a0177"],
    },
  });
  // One label per unit, at the point inside it the server chose (layer "<level>_labels"),
  // not one per tile or polygon part.
  const label = (layer, field, minzoom, maxzoom, size) => present.has(layer + "_labels") && map.addLayer({
    id: layer + "-label", type: "symbol", source: "microplan", "source-layer": layer + "_labels", minzoom, maxzoom,
    layout: { "text-field": ["get", field], "text-font": ["sans-serif"], "text-size": size, "symbol-placement": "point" },
    paint: { "text-color": "#1f2d3d", "text-halo-color": "#ffffff", "text-halo-width": 1.2 },
  });
  label("zones", "code", 0, 7, 14);
  label("districts", "code", 7, 9.5, 12);
  label("circuits", "name", 9.5, 24, 11);
}

// Colour breaks from the values' quantiles (closing year: earlier is better).
function breaksOf(values) {
  const v = values.filter((x) => x !== null && x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return [];
  const q = (p) => v[Math.min(v.length - 1, Math.floor(p * v.length))];
  return [...new Set([q(1 / 6), q(2 / 6), q(3 / 6), q(4 / 6), q(5 / 6)])];
}
function higherIsBetter() {
  return !state.planning || state.indicator === "coverage_pct" || state.indicator === "population_within_minutes";
}

const LIGHT_VALUE = { red: 0, yellow: 1, green: 2 };

// Each unit's scorecard light in the period (/scorecards/{level}) as its value: 0 red, 1 yellow, 2 green.
async function loadLights(units, sourceLayer) {
  const l = await api(`/scorecards/${state.level}?period=${period()}`).catch(() => ({ units: [] }));
  const light = new Map(l.units.map((u) => [u.code, u.light]));
  state.values.clear();
  for (const u of units) {
    const v = light.has(u.code) && light.get(u.code) ? LIGHT_VALUE[light.get(u.code)] : null;
    state.values.set(u.id, v);
    map.setFeatureState({ source: "microplan", sourceLayer, id: u.id }, { value: v });
  }
  state.lights = l;
  window.microplanViewer.lightsLoaded = (window.microplanViewer.lightsLoaded || 0) + 1;
}

function paint() {
  const layer = LAYER_OF[state.level] + "-fill";
  if (state.indicator === "targets_light") {
    map.setPaintProperty(layer, "fill-color", ["case", ["==", ["typeof", ["feature-state", "value"]], "number"],
      ["match", ["feature-state", "value"], 0, LIGHT_COLOURS.red, 1, LIGHT_COLOURS.yellow, LIGHT_COLOURS.green], "#cccccc"]);
    state.breaks = [];
    $("legend").innerHTML = `<strong>${t("targets_light")} · ${period()}</strong>` +
      ["green", "yellow", "red"].map((c) => `<div><span class="swatch" style="background:${LIGHT_COLOURS[c]}"></span>${t("light_" + c)}</div>`).join("") +
      `<div><span class="swatch" style="background:#cccccc"></span>${t("no_scorecard_unit")}</div>`;
    return;
  }
  const breaks = breaksOf([...state.values.values()]);
  state.breaks = breaks;
  const ramp = higherIsBetter() ? RAMP : [...RAMP].reverse();
  let colour = ramp[0];
  if (breaks.length) {
    colour = ["step", ["to-number", ["feature-state", "value"]], ramp[0]];
    breaks.forEach((b, i) => colour.push(b, ramp[Math.min(ramp.length - 1, i + 1)]));
  }
  map.setPaintProperty(layer, "fill-color",
    ["case", ["==", ["typeof", ["feature-state", "value"]], "number"], colour, "#cccccc"]);
  renderLegend();
}

function renderLegend() {
  const el = $("legend");
  if (state.indicator === "population_within_minutes" && !state.minutesShown) {
    el.textContent = state.sector ? t("within_minutes_na") : t("choose_sector");
    return;
  }
  const breaks = state.breaks || [];
  const ramp = higherIsBetter() ? RAMP : [...RAMP].reverse();
  const digits = state.indicator === "closing_year" || !state.planning ? 0 : 1;
  const rows = [];
  if (breaks.length) rows.push([ramp[0], "< " + fmt(breaks[0], digits)]);
  breaks.forEach((b, i) => rows.push([ramp[Math.min(ramp.length - 1, i + 1)], "≥ " + fmt(b, digits)]));
  rows.push(["#cccccc", state.indicator === "closing_year" ? t("never") : t("no_data")]);
  const sectors = (state.catalogue ? state.catalogue.sectors : []).filter((x) => !isNetwork(x.id)).map((x) =>
    `<div><span class="swatch dot" style="background:${SECTOR_COLOURS[x.id] || "#7a0177"}"></span>${sectorName(x.id)}</div>`).join("");
  const title = !state.planning ? t("population_map")
    : state.indicator === "population_within_minutes"
      ? t("within_title").replace("{m}", fmt(state.minutesShown, 0)) : indicatorTitle(state.indicator);
  const lacks = state.indicator === "population_within_minutes" ? state.limitations || [] : [];
  el.innerHTML = "<strong>" + title + "</strong><br>" +
    rows.map(([c, l]) => `<div><span class="swatch" style="background:${c}"></span>${l}</div>`).join("") +
    (lacks.length ? `<p data-testid="legend-limitations"><small>${lacks.map((l) => t(l)).join(" ")}</small></p>` : "") +
    (sectors ? `<br><strong>${t("establishments")}</strong>${sectors}` : "");
}

// Joins the indicator to the tiles by feature id: no tile is fetched again.
async function loadIndicators() {
  const params = new URLSearchParams();
  if (state.sector) params.set("sector", state.sector);
  if (state.scenario) params.set("scenario", state.scenario);
  if (state.indicator === "closing_year") params.set("closing", "true");
  const within = state.indicator === "population_within_minutes";
  if (within && state.sector && state.minutes) params.set("minutes", state.minutes);
  let data;
  try {
    data = await api(`/indicators/${state.level}?${params}`);
  } catch (e) {
    if (e.status !== 404) throw e;
    return loadPopulation();  // a store of boundaries and people, without standards
  }
  // The thresholds stored for the sector; the standard's travel time is chosen first.
  const available = data.minutes_available || [];
  state.limitations = data.limitations || [];
  state.minutesShown = within && state.sector && available.length && data.minutes !== null &&
    data.units.some((u) => u.population_within_minutes !== null) ? data.minutes : null;
  $("minutes-label").hidden = !(within && state.sector && available.length);
  $("minutes").innerHTML = available.map((m) => `<option value="${m}">${fmt(m, 0)}</option>`).join("");
  if (data.minutes !== null) $("minutes").value = String(data.minutes);
  const sourceLayer = LAYER_OF[state.level];
  map.removeFeatureState({ source: "microplan", sourceLayer });
  state.values.clear();
  state.rows = new Map();
  for (const u of data.units) {
    const v = u[state.indicator];
    state.values.set(u.id, v);
    state.rows.set(u.code, u);
    map.setFeatureState({ source: "microplan", sourceLayer, id: u.id }, { value: v === null ? null : Number(v) });
  }
  if (state.indicator === "targets_light") await loadLights(data.units, sourceLayer);
  paint();
  if (data.planned_at !== undefined) {  // no standard of the sector at this level: say where it is planned
    const label = state.sector ? sectorName(state.sector) : t("all_sectors");
    say(data.planned_at === "nation" ? t("planned_nation").replace("{s}", label)
      : data.planned_at ? plannedText("planned_at", label, data.planned_at) : t("no_data"));
  } else if ($("message").dataset.planned) {
    say("");
  }
  $("message").dataset.planned = data.planned_at !== undefined ? "1" : "";
  showTravelLayer();  // follows the sector, the scenario and its edits as the choropleth does
  window.microplanViewer.indicatorsLoaded++;
}

// Without standards: the units' population from the features, and their own properties in the panel.
async function loadPopulation() {
  state.planning = false;
  const sourceLayer = LAYER_OF[state.level];
  const items = await api(`/collections/${sourceLayer}/items?limit=10000`);
  map.removeFeatureState({ source: "microplan", sourceLayer });
  state.values.clear();
  state.rows = new Map();
  for (const f of items.features) {
    const v = f.properties.population;
    state.values.set(f.id, v);
    state.rows.set(f.properties.code, f.properties);
    map.setFeatureState({ source: "microplan", sourceLayer, id: f.id }, { value: v === null || v === undefined ? null : Number(v) });
  }
  $("indicator").disabled = true;
  say(t("boundaries_only"));
  paint();
  window.microplanViewer.indicatorsLoaded++;
}

function showLevel() {
  for (const level of ["zone", "district", "circuit"])
    map.setLayoutProperty(LAYER_OF[level] + "-fill", "visibility", level === state.level ? "visible" : "none");
}

// ---- the unit report -----------------------------------------------------------------

async function showReport(unit) {
  state.selected = unit;
  if (!state.planning) {
    const p = state.rows.get(unit.code) || {};
    $("panel").innerHTML =
      `<h2 data-testid="unit-title"><span data-testid="unit-code">${unit.code}</span> · ${p.name || ""}</h2>` +
      `<p>${t(unit.level)} · ${t("population")}: <strong data-testid="unit-population">${fmt(p.population)}</strong></p>` +
      `<p>${t("area")}: ${fmt(p.area_km2, 1)}${p.parent ? ` · ${t("parent")}: ${p.parent}` : ""}</p>`;
    // Stored travel times are served without standards too.
    const a = await api(`/reports/accessibility/${encodeURIComponent(unit.code)}?level=${unit.level}`).catch(() => null);
    if (a && state.selected === unit) $("panel").innerHTML += accessibilityTable(a.accessibility || []);
    window.microplanViewer.reportsShown++;
    return;
  }
  const params = new URLSearchParams({ level: unit.level });
  if (state.scenario) params.set("scenario", state.scenario);
  const r = await api(`/reports/unit/${encodeURIComponent(unit.code)}?${params}`);
  const rows = (r.sectors || []).map((s) => `<tr data-sector="${s.sector}"><td>${sectorName(s.sector, s.sector_label)}${countsHint(s)}</td>` +
    (s.planned_at ? `<td colspan="6" data-testid="planned-at">${plannedText("planned_per", "", s.planned_at)}</td></tr>` :
    `<td>${fmt(s.current, 1)}</td><td>${fmt(s.ideal, 1)}</td><td class="deficit">${fmt(s.deficit, 1)}</td>` +
    `<td>${fmt(s.investment_cost)}</td><td>${fmt(s.coverage_pct, 1)} %</td>` +
    `<td>${s.closing_year ? s.closing_year : state.scenario ? "—" : t("never")}</td></tr>`)).join("");
  const children = (r.children || []).map((c) => {
    // Establishments missing: households not connected are not added to them.
    const total = (c.sectors || []).filter((s) => s.counts !== "households").reduce((a, s) => a + (s.deficit || 0), 0);
    return `<tr><td>${c.code} ${c.name}</td><td>${fmt(c.population)}</td><td>${fmt(total, 1)}</td></tr>`;
  }).join("");
  $("panel").innerHTML =
    `<h2 data-testid="unit-title"><span data-testid="unit-code">${r.code}</span> · ${r.name}</h2>` +
    `<p>${t(unit.level)} · ${t("population")}: <strong data-testid="unit-population">${fmt(r.population)}</strong>` +
    (state.scenario ? ` · ${t("scenarios")}: ${$("scenario").selectedOptions[0].textContent}` : "") + "</p>" +
    `<table data-testid="sectors"><tr><th>${t("sector")}</th><th>${t("current")}</th><th>${t("ideal")}</th>` +
    `<th>${t("gap")}</th><th>${t("cost")}</th><th>${t("coverage")}</th><th>${t("closing")}</th></tr>${rows}</table>` +
    accessibilityTable(r.accessibility || []) +
    (children ? `<h2>${t("children")}</h2><table><tr><th></th><th>${t("population")}</th><th>${t("gap")}</th></tr>${children}</table>` : "");
  window.microplanViewer.reportsShown++;
  showMonitoring(unit);
}

// Travel time per sector: mean and the share of people within each stored threshold.
// Scenarios of the same sector (measure travel_time_<scenario>) are named; what a run's surface
// lacks (limitations) is said below the table.
function accessibilityTable(runs) {
  const shown = runs.filter((a) => (a.measure === "travel_time" || a.measure.startsWith("travel_time_")) && !a.typology);
  const scenarios = shown.some((a) => a.measure !== "travel_time");
  const rows = shown.map((a) => {
    const label = sectorName(a.sector);
    const scenario = scenarios ? `<br><small data-testid="access-scenario">${t(a.measure)}</small>` : "";
    // With a scenario whose travel time is live: baseline → scenario.
    const pct = (w) => w.pct_after === undefined || w.pct_after === w.pct ? `${fmt(w.pct, 1)} %` :
      `${fmt(w.pct, 1)} → <strong>${fmt(w.pct_after, 1)}</strong> %`;
    const within = a.within.map((w) => `${t("within_short").replace("{m}", fmt(w.threshold, 0))}: ${pct(w)}`).join(" · ");
    const minutes = (v) => v === null || v === undefined ? "—" : fmt(v, 1) + " min";
    const mean = a.live && a.mean_after !== a.mean ? `${minutes(a.mean)} → <strong>${minutes(a.mean_after)}</strong>` : minutes(a.mean);
    return `<tr data-sector="${a.sector}" data-measure="${a.measure}"${a.live ? ' data-live="true"' : ""}><td>${label}${scenario}</td>` +
      `<td>${mean}</td><td>${within}</td></tr>`;
  }).join("");
  const lacks = [...new Set(shown.flatMap((a) => a.limitations || []))];
  const note = lacks.length ? `<p data-testid="access-limitations"><strong>${t("limitations")}:</strong> ` +
    lacks.map((l) => t(l)).join(" ") + "</p>" : "";
  return rows ? `<h2>${t("accessibility")}</h2><table data-testid="accessibility"><tr><th>${t("sector")}</th>` +
    `<th>${t("mean_time")}</th><th></th></tr>${rows}</table>${note}` : "";
}

function select(feature) {
  const layer = LAYER_OF[state.level];
  if (state.selectedFeature)
    map.setFeatureState({ source: "microplan", sourceLayer: state.selectedFeature.layer, id: state.selectedFeature.id }, { selected: false });
  state.selectedFeature = { layer, id: feature.id };
  map.setFeatureState({ source: "microplan", sourceLayer: layer, id: feature.id }, { selected: true });
  map.setLayoutProperty("selected-line", "visibility", layer === "circuits" ? "visible" : "none");
  return showReport({ level: state.level, code: feature.properties.code });
}

// ---- plan evaluation ----------------------------------------------------------------

// Typical people per unit (SENPLADES): a circuit ~11,000, a district ~90,000; a zone has none.
const TYPICAL_TARGET = { circuit: 11000, district: 90000, zone: "" };

function suggestTarget() {
  $("plan-target").value = TYPICAL_TARGET[state.level];
}

// The level judged as a districting plan (/reports/plan-evaluation): one row per criterion, the
// failing units outlined on the map.
async function evaluatePlan() {
  const params = new URLSearchParams({ level: state.level, tolerance: String((Number($("plan-tolerance").value) || 0) / 100) });
  if ($("plan-target").value) params.set("target", $("plan-target").value);
  say(t("evaluating"));
  let e;
  try {
    e = await api(`/reports/plan-evaluation?${params}`);
  } catch (err) { return say(err.message, true); }
  const failing = new Set();
  const rows = e.criteria.map((c) => {
    const units = c.name === "splits" ? [] : c.units;
    units.forEach((u) => failing.add(u));
    const list = c.units.slice(0, 8).join(", ") + (c.units.length > 8 ? ` … (${c.units.length})` : "");
    const extra = c.name === "splits" && c.result !== "not checked"
      ? `${t("splits_count").replace("{n}", fmt(e.summary.split_finer_units))}` + (c.units.length ? `; ${list}` : "") : list;
    return `<tr data-criterion="${c.name}" class="${c.result === "fail" ? "fail" : c.result === "pass" ? "pass" : ""}">` +
      `<td>${t("crit_" + c.name)}</td><td data-testid="verdict">${t(c.result)}</td><td>${extra}</td></tr>`;
  }).join("");
  for (const level of LEVELS)
    map.setFilter(LAYER_OF[level] + "-failing",
      ["in", ["get", "code"], ["literal", level === state.level ? [...failing] : []]]);
  const s = e.summary;
  const failed = e.criteria.filter((c) => c.result === "fail").length;
  $("panel").innerHTML = `<h2 data-testid="plan-title">${t("plan_evaluation")} · ${t(state.level)}</h2>` +
    `<p data-testid="plan-summary">${t("plan_summary").replace("{n}", fmt(s.units)).replace("{p}", fmt(s.population))
      .replace("{m}", fmt(s.mean_abs_deviation_pct, 1)).replace("{x}", fmt(s.max_abs_deviation_pct, 1))}</p>` +
    `<table data-testid="plan-criteria"><tr><th>${t("criterion")}</th><th>${t("result")}</th><th>${t("failing_units")}</th></tr>${rows}</table>` +
    `<p>${failed ? t("plan_fails").replace("{n}", failed) : t("plan_passes")}</p>`;
  say("");
  window.microplanViewer.evaluations++;
}

// The shown level compared with a plan file (/reports/plan-comparison): the summary and the
// finer units that change in the panel, the changed areas on the map.
async function comparePlan(file) {
  say(t("comparing"));
  let c;
  try {
    c = await api(`/reports/plan-comparison?level=${state.level}`,
      { method: "POST", body: await file.text(), headers: { "Content-Type": "application/geo+json" } });
  } catch (err) { return say(err.message, true); }
  if (map.getSource("plan-changes")) map.getSource("plan-changes").setData(c.changed);
  else {
    map.addSource("plan-changes", { type: "geojson", data: c.changed });
    map.addLayer({ id: "plan-changes", type: "fill", source: "plan-changes",
      paint: { "fill-color": "#fd8d3c", "fill-opacity": 0.75, "fill-outline-color": "#a63603" } });
  }
  const s = c.summary;
  const rows = c.changed_finer_units.slice(0, 50).map((f) =>
    `<tr><td>${f.code} ${f.name || ""}</td><td>${f.a}</td><td>${f.b}</td><td>${fmt(f.people)}</td></tr>`).join("");
  $("panel").innerHTML = `<h2 data-testid="comparison-title">${t("plan_comparison")} · ${t(state.level)}</h2>` +
    `<p data-testid="comparison-summary">${t("compare_summary").replace("{m}", fmt(s.matched)).replace("{a}", fmt(s.a_units))
      .replace("{b}", fmt(s.b_units)).replace("{i}", fmt(s.identical_units)).replace("{p}", fmt(s.people_moved))
      .replace("{t}", fmt(s.people)).replace("{pct}", fmt(s.people_moved_pct, 1))
      .replace("{vi}", fmt(s.variation_of_information_bits, 3))}</p><p>${t("changed_areas")}</p>` +
    (rows ? `<h2>${t("changed_units")}</h2><table data-testid="changed-units"><tr><th></th><th>${t("unit_now")}</th>` +
      `<th>${t("unit_plan")}</th><th>${t("population")}</th></tr>${rows}</table>` : "");
  say("");
  window.microplanViewer.comparisons++;
}

// ---- scenarios -----------------------------------------------------------------------

async function loadScenarios(keep) {
  if (KIT) return;  // the kit is the baseline: scenarios need the server
  const data = await api("/scenarios");
  const sel = $("scenario");
  sel.innerHTML = `<option value="">${t("baseline")}</option>` +
    data.scenarios.map((s) => `<option value="${s.id}">${s.name.replace(/</g, "&lt;")}</option>`).join("");
  sel.value = keep !== undefined ? String(keep) : "";
  state.scenario = sel.value;
}

async function loadProposals() {
  for (const m of state.markers.values()) m.remove();
  state.markers.clear();
  if (!state.scenario) return;
  const s = await api(`/scenarios/${state.scenario}`);
  for (const f of s.establishments.features) addMarker(f);
  state.closed = new Set();
  for (const f of s.closures.features) {
    state.closed.add(f.id);
    if (f.geometry) addClosedMarker(f);
  }
}

// An existing establishment the scenario closes: a grey cross over its dot; its popup reopens it.
function addClosedMarker(feature) {
  const el = document.createElement("div");
  el.className = "closed-establishment";
  el.textContent = "✕";
  el.title = `${t("closed_in_scenario")}: ${feature.properties.name || feature.properties.code}`;
  el.dataset.testid = "closed-establishment";
  const marker = new maplibregl.Marker({ element: el }).setLngLat(feature.geometry.coordinates).addTo(map);
  const button = document.createElement("button");
  button.textContent = t("reopen_here");
  button.dataset.testid = "reopen";
  button.onclick = () => edit(() => api(`/scenarios/${state.scenario}/closures/${feature.id}`, { method: "DELETE" }), t("reopened"));
  marker.setPopup(new maplibregl.Popup({ offset: 12 }).setDOMContent(button));
  state.markers.set("closed-" + feature.id, marker);
}

// An existing establishment clicked: its name and typology, and with a scenario chosen the
// button that closes it there ("who loses access if this health post closes?").
function establishmentPopup(feature, lngLat) {
  const p = feature.properties;
  const box = document.createElement("div");
  box.className = "establishment-popup";
  const title = document.createElement("strong");
  title.textContent = p.name || p.id || "";
  const detail = document.createElement("div");
  detail.textContent = `${p.typology || ""} · ${p.circuit_code || ""}`;
  box.append(title, detail);
  if (!KIT) {
    const closed = state.closed && state.closed.has(feature.id);
    const button = document.createElement("button");
    button.dataset.testid = closed ? "reopen" : "close-establishment";
    button.textContent = closed ? t("reopen_here") : t("close_here");
    button.onclick = () => {
      popup.remove();
      if (!state.scenario) return say(t("choose_scenario_to_close"), true);
      if (closed) return edit(() => api(`/scenarios/${state.scenario}/closures/${feature.id}`, { method: "DELETE" }), t("reopened"));
      let said = t("closed_done");
      return edit(async () => {
        const c = await api(`/scenarios/${state.scenario}/closures/${feature.id}`, { method: "POST" });
        if (c.properties.counted === false) said = t("closed_not_counted");
      }, () => said);
    };
    box.append(button);
  }
  const popup = new maplibregl.Popup({ offset: 8 }).setLngLat(lngLat).setDOMContent(box).addTo(map);
}

function addMarker(feature) {
  const el = document.createElement("div");
  el.className = "proposal";
  el.style.background = SECTOR_COLOURS[feature.properties.sector] || "#7a0177";
  el.title = `${feature.properties.typology} (${feature.properties.circuit_code})`;
  el.dataset.testid = "proposal";
  const marker = new maplibregl.Marker({ element: el, draggable: true }).setLngLat(feature.geometry.coordinates).addTo(map);
  const button = document.createElement("button");
  button.textContent = t("remove_this");
  button.onclick = () => edit(() => api(`/scenarios/${state.scenario}/establishments/${feature.id}`, { method: "DELETE" }), t("removed"));
  marker.setPopup(new maplibregl.Popup({ offset: 12 }).setDOMContent(button));
  marker.on("dragend", () => {
    const { lng, lat } = marker.getLngLat();
    edit(() => api(`/scenarios/${state.scenario}/establishments/${feature.id}`,
      { method: "PATCH", body: JSON.stringify({ lon: lng, lat }) }), t("moved"));
  });
  state.markers.set(feature.id, marker);
}

// Runs an edit, then refreshes what it changes: indicators, markers and the open report.
async function edit(call, done) {
  try {
    await call();
    say(typeof done === "function" ? done() : done);
  } catch (e) {
    say(e.status === 401 || e.status === 403 ? t("refused") + " (" + e.status + ")" : e.message, true);
  }
  state.travelVersion = (state.travelVersion || 0) + 1;  // the travel-time tiles changed
  await Promise.all([loadIndicators(), loadProposals(), state.selected ? showReport(state.selected) : null]);
  window.microplanViewer.edits++;
}

async function addAt(lngLat) {
  if (!state.scenario) return say(t("choose_scenario"), true);
  const body = { sector: $("propose-sector").value, typology: $("propose-typology").value, lon: lngLat.lng, lat: lngLat.lat };
  await edit(() => api(`/scenarios/${state.scenario}/establishments`, { method: "POST", body: JSON.stringify(body) }), t("added"));
}

// The travel-time surface of the sector as raster tiles, the scenario's when one is chosen,
// reloaded after every edit (the server recomputes it live), under the unit outlines.
function showTravelLayer() {
  const sector = state.catalogue && state.catalogue.sectors.find((s) => s.id === state.sector);
  const wanted = $("travel-layer").checked && sector && sector.live_travel;
  $("travel-legend").hidden = !wanted;
  if ($("travel-layer").checked && !wanted) say(t("travel_needs_live"));
  if (!wanted) {
    if (map.getLayer("travel")) map.removeLayer("travel");
    if (map.getSource("travel")) map.removeSource("travel");
    return;
  }
  // Asked for again only when the sector, the scenario or its edits changed (`v`, see edit()).
  const url = `${location.origin}/travel/${encodeURIComponent(state.sector)}/{z}/{x}/{y}.png?scenario=${state.scenario || 0}` +
    `&v=${state.travelVersion || 0}`;
  if (map.getSource("travel")) {
    if (state.travelUrl !== url) map.getSource("travel").setTiles([url]);
    state.travelUrl = url;
    return;
  }
  state.travelUrl = url;
  map.addSource("travel", { type: "raster", tiles: [url], tileSize: 256, maxzoom: 14 });
  map.addLayer({ id: "travel", type: "raster", source: "travel", paint: { "raster-opacity": 0.8 } }, "circuits-line");
}

// Where to build next for the scenario: the server's greedy maximal covering over its live
// travel time; each site drawn on the map and listed with a button that proposes it.
async function suggestSites() {
  if (!state.scenario) return say(t("choose_scenario"), true);
  const sector = state.catalogue && state.catalogue.sectors.find((s) => s.id === state.sector);
  if (!sector || !sector.live_travel) return say(t("travel_needs_live"), true);
  let s;
  try {
    s = await api(`/scenarios/${state.scenario}/suggest?sector=${encodeURIComponent(state.sector)}&count=3`);
  } catch (e) { return say(e.message, true); }
  for (const m of state.suggested || []) m.remove();
  state.suggested = s.features.map((f) => {
    const el = document.createElement("div");
    el.className = "suggestion";
    el.textContent = f.properties.rank;
    el.dataset.testid = "suggestion";
    return new maplibregl.Marker({ element: el }).setLngLat(f.geometry.coordinates).addTo(map);
  });
  const propose = async (f, i) => {
    $("propose-sector").value = state.sector;
    fillTypologies();
    const body = { sector: state.sector, typology: $("propose-typology").value,
      lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] };
    await edit(() => api(`/scenarios/${state.scenario}/establishments`, { method: "POST", body: JSON.stringify(body) }), t("added"));
    state.suggested[i].remove();
    $(`suggest-${f.properties.rank}`).disabled = true;
  };
  const rows = s.features.map((f) => `<tr><td>${f.properties.rank}</td><td>${t("suggest_row")
    .replace("{p}", fmt(f.properties.added_people)).replace("{c}", fmt(f.properties.covered_pct_after, 1))}</td>` +
    `<td><button type="button" id="suggest-${f.properties.rank}" data-rank="${f.properties.rank}">${t("propose_here")}</button></td></tr>`).join("");
  $("panel").innerHTML = `<h2>${t("suggestions")}</h2><p>${t("suggest_text").replace("{m}", fmt(s.minutes))}</p>` +
    (rows ? `<table data-testid="suggestions">${rows}</table>` : `<p>${t("no_suggestions")}</p>`);
  s.features.forEach((f, i) => { $(`suggest-${f.properties.rank}`).onclick = () => propose(f, i); });
  state.selected = null;
  window.microplanViewer.suggestions = (window.microplanViewer.suggestions || 0) + 1;
}

function capacityLine(c) {
  return `<p data-testid="compare-capacity">${t("capacity_served").replace("{m}", fmt(c.minutes))}: ` +
    `${fmt(c.covered_before)} → <strong>${fmt(c.covered_after)}</strong> (${c.covered_after >= c.covered_before ? "+" : ""}` +
    `${fmt(c.covered_after - c.covered_before)})</p>`;
}

// People within each threshold of the sector's travel time, baseline → scenario (live).
function travelTable(tt) {
  if (!tt) return state.sector ? "" : `<p class="hint">${t("travel_needs_sector")}</p>`;
  const rows = tt.thresholds.map((m, i) => {
    const gain = tt.within_after[i] - tt.within_before[i];
    const mark = m === tt.minutes ? ` class="standard"` : "";
    return `<tr${mark} data-minutes="${m}"><td>${t("within_min").replace("{m}", fmt(m))}</td>` +
      `<td>${fmt(tt.within_before[i])}</td><td>${fmt(tt.within_after[i])}</td><td class="gain">${gain > 0 ? "+" : ""}${fmt(gain)}</td></tr>`;
  }).join("");
  const headline = (tt.minutes === undefined ? "" :
    `<p>${t("newly_within").replace("{m}", fmt(tt.minutes))}: <strong data-testid="newly-within">${fmt(tt.newly_within_minutes)}</strong></p>`) +
    (tt.closed ? `<p data-testid="closed-count">${t("closed_count").replace("{n}", fmt(tt.closed))}</p>` : "");
  // Capacity comes in a second answer (a second nationally): a place held for it meanwhile.
  const capacity = `<p id="capacity-slot" class="hint">${t("computing_capacity")}</p>`;
  return `<h2>${t("travel_people")}</h2>${headline}<table data-testid="compare-travel"><tr><th></th><th>${t("before")}</th>` +
    `<th>${t("after")}</th><th>Δ</th></tr>${rows}</table>` + capacity +
    `<p class="hint">${t("travel_updated").replace("{ms}", fmt(tt.update_ms, 1))}</p>`;
}

async function compare() {
  if (!state.scenario) return say(t("choose_scenario"), true);
  const params = new URLSearchParams({ level: state.level });
  if (state.sector) params.set("sector", state.sector);
  const c = await api(`/scenarios/${state.scenario}/compare?${params}`);
  const rows = c.units.map((u) => `<tr><td>${u.code} ${u.name}</td><td>${fmt(u.deficit_before, 1)}</td>` +
    `<td>${fmt(u.deficit_after, 1)}</td><td>${fmt(u.investment_after - u.investment_before)}</td><td>${fmt(u.newly_covered)}</td></tr>`).join("");
  $("panel").innerHTML = `<h2>${t("compare")}: ${c.scenario}</h2>` +
    `<p>${t("deficit")}: ${fmt(c.totals.deficit_before, 1)} → <strong>${fmt(c.totals.deficit_after, 1)}</strong><br>` +
    `${t("cost")}: ${fmt(c.totals.investment_before)} → ${fmt(c.totals.investment_after)}<br>` +
    `${t("newly_covered")}: <strong>${fmt(c.totals.newly_covered)}</strong></p>` + travelTable(c.travel_time) +
    `<h2>${t("changed_units")}</h2><table data-testid="compare"><tr><th></th><th>${t("before")}</th><th>${t("after")}</th>` +
    `<th>Δ ${t("cost")}</th><th>${t("newly_covered")}</th></tr>${rows}</table>`;
  state.selected = null;
  if (!c.travel_time) return;
  params.set("capacity", "true");
  const more = await api(`/scenarios/${state.scenario}/compare?${params}`).catch(() => null);
  const slot = $("capacity-slot");
  const cap = more && more.travel_time && more.travel_time.capacity;
  if (slot) slot.outerHTML = cap ? capacityLine(cap) : "";
  window.microplanViewer.capacities = (window.microplanViewer.capacities || 0) + 1;
}

// ---- closing the gap ---------------------------------------------------------------------

// One line per sector of its national gap year by year, as a share of its first year's gap so
// that establishments and households (networks) share one axis (an SVG drawn here: no chart library).
function deficitChart(sectors, years) {
  const w = 420, h = 170, left = 44, bottom = 20, top = 8, right = 16;
  sectors = sectors.map((s) => {
    const first = s.trajectory.length ? s.trajectory[0].deficit : 0;
    return { ...s, trajectory: s.trajectory.map((y) => ({ deficit: first > 0 ? (100 * y.deficit) / first : 0 })) };
  });
  const max = Math.max(1, ...sectors.flatMap((s) => s.trajectory.map((y) => y.deficit)));
  const x = (i) => left + (i * (w - left - right)) / Math.max(1, years.length - 1);
  const y = (v) => top + (1 - v / max) * (h - top - bottom);
  const lines = sectors.map((s) => `<polyline data-sector="${s.sector}" fill="none" stroke-width="2" ` +
    `stroke="${SECTOR_COLOURS[s.sector] || "#666"}" points="${s.trajectory.map((p, i) => `${x(i).toFixed(1)},${y(p.deficit).toFixed(1)}`).join(" ")}"/>`);
  const ticks = years.map((yr, i) => (i % 2 === 0 ? `<text x="${x(i)}" y="${h - 5}" font-size="10" text-anchor="middle">${yr}</text>` : "")).join("");
  return `<svg data-testid="plan-chart" viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-label="${t("deficit_by_year")}">` +
    `<line x1="${left}" y1="${y(0)}" x2="${w - right}" y2="${y(0)}" stroke="#999"/>` +
    `<text x="${left - 4}" y="${y(max) + 4}" font-size="10" text-anchor="end">${fmt(max)} %</text>` +
    `<text x="${left - 4}" y="${y(0)}" font-size="10" text-anchor="end">0</text>${ticks}${lines.join("")}</svg>`;
}

// A small chart per sector: its own national gap year by year, in what it counts
// (establishments, or households for a network), its first and last values labelled.
function sectorCharts(sectors, years) {
  const w = 190, h = 80, left = 4, right = 4, top = 26, bottom = 12;
  return `<div class="sector-charts">` + sectors.map((s) => {
    const values = s.trajectory.map((p) => p.deficit);
    const max = Math.max(1, ...values);
    const x = (i) => left + (i * (w - left - right)) / Math.max(1, years.length - 1);
    const y = (v) => top + (1 - v / max) * (h - top - bottom);
    const unit = t(s.counts === "households" ? "households" : "establishments_short");
    const last = values.length ? values[values.length - 1] : 0;
    return `<svg data-testid="plan-sector-chart" data-sector="${s.sector}" viewBox="0 0 ${w} ${h}" width="${w}" role="img" ` +
      `aria-label="${sectorName(s.sector, s.sector_label)}">` +
      `<text x="${left}" y="10" font-size="10" font-weight="bold">${sectorName(s.sector, s.sector_label)}</text>` +
      `<text x="${left}" y="21" font-size="9" fill="#555" data-testid="counts">${unit}</text>` +
      `<line x1="${left}" y1="${y(0)}" x2="${w - right}" y2="${y(0)}" stroke="#bbb"/>` +
      `<polyline fill="none" stroke-width="2" stroke="${SECTOR_COLOURS[s.sector] || "#666"}" ` +
      `points="${values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ")}"/>` +
      `<text x="${left}" y="${h - 2}" font-size="9">${years[0]}: ${fmt(values[0] || 0)}</text>` +
      `<text x="${w - right}" y="${h - 2}" font-size="9" text-anchor="end" data-testid="last">${years[years.length - 1]}: ${fmt(last)}</text></svg>`;
  }).join("") + `</div>`;
}

async function loadBudgetScenarios() {
  const plan = await api("/plan").catch(() => null);
  state.budgetScenarios = plan && plan.budget_scenarios && plan.budget_scenarios.length ? plan.budget_scenarios
    : ["optimistic", "moderate", "pessimistic"].map((name) => ({ name, label_es: "" }));
  fillBudgetScenarios();
}

function fillBudgetScenarios() {
  const rows = state.budgetScenarios || [];
  const select = $("budget-scenario");
  const chosen = select.value || "moderate";
  select.innerHTML = "";
  for (const r of rows) {
    const o = document.createElement("option");
    o.value = r.name;
    o.textContent = state.lang === "es" && r.label_es ? r.label_es : r.name;
    select.appendChild(o);
  }
  if (rows.length) select.value = rows.some((r) => r.name === chosen) ? chosen : rows[0].name;
}

async function showPlan() {
  const params = new URLSearchParams({ budget_scenario: $("budget-scenario").value });
  // A workshop scenario's plan starts from its proposals and closures.
  if (state.scenario) params.set("scenario", state.scenario);
  const closeBy = $("close-by").value.trim();
  if (closeBy) {
    params.set("close_by", closeBy);
    params.set("until", String(Math.max(Number(closeBy), 2035)));
  }
  $("panel").innerHTML = `<p class="hint">${t("computing")}</p>`;
  let p;
  try {
    p = await api(`/plan?${params}`);
  } catch (e) {
    $("panel").innerHTML = `<p class="hint">${e.message}</p>`;
    return;
  }
  const years = p.years.map((y) => y.year);
  const label = (s) => sectorName(s.sector, s.sector_label);
  const y0 = p.years[0];
  let html = `<h2>${t("plan_title").replace("{s}", $("budget-scenario").selectedOptions[0].textContent)}</h2>`;
  if (state.scenario) html += `<p data-testid="plan-workshop">${t("scenarios")}: ${$("scenario").selectedOptions[0].textContent}</p>`;
  if (p.gdp) html += `<p>${t(p.required ? "plan_gdp_required" : "plan_gdp").replace("{g}", fmt(p.gdp.growth * 100, 1))
    .replace("{b}", fmt(y0.budget_pct_gdp, 2)).replace("{u}", fmt(y0.budget)).replace("{y}", y0.year)
    .replace("{c}", p.required ? p.required.close_by : "")}</p>`;
  html += `<h2>${t("deficit_by_year")}</h2>${deficitChart(p.sectors, years)}${sectorCharts(p.sectors, years)}`;
  html += `<table data-testid="plan-sectors"><tr><th>${t("sector")}</th><th>${t("closing")}</th><th>${t("budget_pct_gdp")}</th><th>${t("unfunded")}</th></tr>` +
    p.sectors.map((s) => `<tr data-sector="${s.sector}"><td><span style="color:${SECTOR_COLOURS[s.sector] || "#666"}">■</span> ${label(s)}</td>` +
      `<td data-testid="closing-year">${s.closing_year === null ? t("never") : s.closing_year}</td>` +
      `<td>${s.trajectory[0].budget_pct_gdp === null ? t("no_data") : fmt(s.trajectory[0].budget_pct_gdp, 3)}</td>` +
      `<td>${fmt(s.unfunded.deficit)}${countsHint(s)}</td></tr>`).join("") + `</table>`;
  if (p.required) {
    html += `<h2>${t("required_title").replace("{y}", p.required.close_by)}</h2><table data-testid="plan-required">` +
      `<tr><th>${t("sector")}</th><th>${t("share_gdp")}</th><th>${t("total_usd")}</th><th>${t("static_cost")}</th><th>${t("dynamic_cost")}</th></tr>` +
      p.required.sectors.map((s) => `<tr data-sector="${s.sector}"><td>${label(s)}</td>` +
        `<td data-testid="share">${s.share_pct_gdp === null || s.share_pct_gdp === undefined ? t("never") : fmt(s.share_pct_gdp, 3)}</td>` +
        `<td>${fmt(s.total.budget)}</td><td>${fmt(s.static_cost.investment)}</td>` +
        `<td>${fmt(s.dynamic_cost.investment + s.dynamic_cost.recurrent)}</td></tr>`).join("") + `</table>`;
  }
  html += `<p class="hint">${t("plan_source")}: ${p.scenario_source}</p>`;
  $("panel").innerHTML = html;
  state.selected = null;
  window.microplanViewer.plansShown += 1;
}

// ---- monitoring and scorecards (issue 20) -------------------------------------------------

const STATUS_COLOURS = { planned: "#9e9e9e", funded: "#2b8cbe", in_execution: "#fe9929", finished: "#1a9850", suspended: "#d7301f" };
const LIGHT_COLOURS = { green: "#1a9850", yellow: "#fee08b", red: "#d73027", "": "#e0e0e0" };
const period = () => (state.periods && state.periods.length ? state.periods[Number($("period").value)] : "");
const pct = (v) => (v === null || v === undefined ? "—" : `${fmt(v, 1)} %`);
const num = (v) => (v === undefined || v === null || v === "null" ? null : Number(v));

// The slider's stops: every month of execution, the latest chosen.
async function loadMonitoring() {
  const g = await api("/monitoring/projects").catch(() => null);
  state.periods = g && g.periods ? g.periods : [];
  $("monitoring").hidden = !state.periods.length;
  if (!state.periods.length) return;
  $("period").max = String(state.periods.length - 1);
  $("period").value = String(state.periods.indexOf(g.period) >= 0 ? state.periods.indexOf(g.period) : state.periods.length - 1);
  $("period-label").textContent = period();
}

// The portfolio's projects as points: colour by status in the period, size by investment.
async function showProjects() {
  const on = $("projects-layer").checked;
  if (!on) {
    if (map.getLayer("projects")) map.setLayoutProperty("projects", "visibility", "none");
    return;
  }
  const g = await api(`/monitoring/projects?period=${period()}`);
  if (!$("projects-layer").checked) return;  // turned off while the period's projects were coming
  if (map.getSource("projects")) map.getSource("projects").setData(g);
  else {
    map.addSource("projects", { type: "geojson", data: g });
    map.addLayer({ id: "projects", type: "circle", source: "projects", paint: {
      "circle-color": ["match", ["get", "status"], ...Object.entries(STATUS_COLOURS).flat(), "#666"],
      "circle-radius": ["interpolate", ["linear"], ["sqrt", ["get", "investment"]], 0, 3, 1000, 6, 5000, 14],
      "circle-stroke-color": "#fff", "circle-stroke-width": 1 } });
    map.on("click", "projects", (e) => {
      const p = e.features[0].properties;
      new maplibregl.Popup().setLngLat(e.lngLat).setHTML(`<strong>${p.code}</strong> ${p.name}<br>` +
        `${t("st_" + p.status)} · ${t("physical")}: ${pct(num(p.physical_progress))} · ` +
        `${t("financial")}: ${pct(num(p.financial_progress))}`).addTo(map);
    });
  }
  map.setLayoutProperty("projects", "visibility", "visible");
  window.microplanViewer.projectsLoaded = (window.microplanViewer.projectsLoaded || 0) + 1;
}

// The planned gap of a sector year by year beside the gap counted from the registry's history.
function planActualChart(s) {
  const w = 420, h = 160, left = 44, right = 12, top = 10, bottom = 20;
  const years = s.planned.map((p) => p.year);
  const max = Math.max(1, ...s.planned.map((p) => p.deficit), ...s.actual.map((p) => p.deficit));
  const x = (yr) => left + ((yr - years[0]) * (w - left - right)) / Math.max(1, years.length - 1);
  const y = (v) => top + (1 - v / max) * (h - top - bottom);
  const line = (pts, cls, colour, dash) => `<polyline data-testid="${cls}" fill="none" stroke-width="2" stroke="${colour}"` +
    `${dash ? ' stroke-dasharray="5 3"' : ""} points="${pts.map((p) => `${x(p.year).toFixed(1)},${y(p.deficit).toFixed(1)}`).join(" ")}"/>`;
  const ticks = years.map((yr, i) => (i % 2 === 0 ? `<text x="${x(yr)}" y="${h - 5}" font-size="10" text-anchor="middle">${yr}</text>` : "")).join("");
  return `<svg data-testid="plan-actual" data-sector="${s.sector}" viewBox="0 0 ${w} ${h}" width="100%" role="img">` +
    `<line x1="${left}" y1="${y(0)}" x2="${w - right}" y2="${y(0)}" stroke="#999"/>` +
    `<text x="${left - 4}" y="${y(max) + 4}" font-size="10" text-anchor="end">${fmt(max)}</text>` +
    `<text x="${left - 4}" y="${y(0)}" font-size="10" text-anchor="end">0</text>${ticks}` +
    line(s.planned, "planned-line", "#777", true) + line(s.actual, "actual-line", SECTOR_COLOURS[s.sector] || "#333", false) + `</svg>` +
    `<p class="hint"><span style="color:#777">- - ${t("planned")}</span> · <span style="color:${SECTOR_COLOURS[s.sector] || "#333"}">— ${t("actual")}</span></p>`;
}

// A unit's monitoring block in its report: plan against actual for the chosen sector (the first
// with a gap otherwise) and its projects in the period.
async function showMonitoring(unit) {
  if (!state.periods || !state.periods.length || state.scenario) return;
  const m = await api(`/monitoring/${unit.level}/${encodeURIComponent(unit.code)}?period=${period()}`).catch(() => null);
  if (!m || state.selected !== unit) return;
  const s = m.sectors.find((x) => x.sector === state.sector) || m.sectors.find((x) => x.planned.some((p) => p.deficit > 0)) || m.sectors[0];
  const rows = m.projects.map((p) => `<tr data-project="${p.code}"><td>${p.code}</td><td>${p.name}</td>` +
    `<td data-testid="project-status"><span style="color:${STATUS_COLOURS[p.status]}">●</span> ${t("st_" + p.status)}</td>` +
    `<td data-testid="project-physical">${pct(p.physical_progress)}</td><td data-testid="project-financial">${pct(p.financial_progress)}</td>` +
    `<td data-testid="project-executed">${pct(p.executed_pct)}</td><td>${p.variance_pct === null ? "—" : fmt(p.variance_pct, 1)}</td></tr>`).join("");
  const block = document.createElement("div");
  block.setAttribute("data-testid", "monitoring");
  block.innerHTML = `<h2>${t("monitoring")} · ${m.period}</h2>` +
    (s ? `<h3>${t("plan_vs_actual").replace("{s}", sectorName(s.sector))}</h3>${planActualChart(s)}` : "") +
    `<h3>${t("projects")} (${m.projects.length})</h3>` + (rows ? `<table data-testid="unit-projects"><tr><th></th><th></th>` +
    `<th>${t("status")}</th><th>${t("physical")}</th><th>${t("financial")}</th><th>${t("executed")}</th><th>${t("variance")}</th></tr>${rows}</table>` :
    `<p class="hint">${t("no_projects")}</p>`);
  const old = $("panel").querySelector("[data-testid=monitoring]");
  if (old) old.replaceWith(block); else $("panel").appendChild(block);
  window.microplanViewer.monitoringShown = (window.microplanViewer.monitoringShown || 0) + 1;
}

// The selected unit's scorecard (the nation's without one): the strategy map — objectives in
// their perspectives, coloured by light, with the links they contribute by — and the indicators.
async function showScorecard() {
  const u = state.selected;
  // As it stood at the end of the slider's month.
  const path = (u ? `/scorecards/${u.level}/${encodeURIComponent(u.code)}` : "/scorecards/nation/EC") +
    (period() ? `?period=${period()}` : "");
  let c;
  try { c = await api(path); } catch (e) {
    $("panel").innerHTML = `<p class="hint" data-testid="no-scorecard">${t("no_scorecard")}</p>`;
    return;
  }
  const label = (p) => (state.lang === "es" ? p.label_es : p.label_en);
  const lanes = c.perspectives.map((p) => `<div class="lane" data-perspective="${p.id}"><h3>${label(p)}</h3><div class="objectives">` +
    p.objectives.map((o) => `<div class="objective" data-objective="${o.code}" data-light="${o.light}" style="background:${LIGHT_COLOURS[o.light] || "#e0e0e0"}">` +
      `<strong>${o.code}</strong> ${o.name}${o.contributes_to.length ? `<small> → ${o.contributes_to.join(", ")}</small>` : ""}</div>`).join("") +
    `</div></div>`).join("");
  const rows = c.perspectives.flatMap((p) => p.objectives.flatMap((o) => (o.indicators.length ? o.indicators : [null]).map((i) =>
    `<tr data-objective="${o.code}"><td>${o.code}</td>` +
    (i ? `<td>${t(i.indicator)}${i.sector ? " · " + sectorName(i.sector) : ""}</td><td>${fmt(i.target, 1)} (${i.target_year})</td>` +
      `<td>${i.code === "*" ? `${i.set.meeting} / ${i.set.required}` : fmt(i.baseline, 1)}</td><td>${pct(i.achievement_pct)}</td>` +
      `<td data-testid="light" data-light="${i.light}"><span style="color:${LIGHT_COLOURS[i.light]}">●</span> ${t("light_" + i.light)}</td>`
      : `<td colspan="5">—</td>`) +
    `<td>${o.initiatives.length}</td></tr>`)));
  $("panel").innerHTML = `<h2 data-testid="scorecard-title">${t("scorecard_title").replace("{u}", c.code ? `${c.code} · ${c.name}` : t("nation"))}${c.period ? ` · <span data-testid="scorecard-period">${c.period}</span>` : ""}</h2>` +
    `<h3>${t("strategy_map")}</h3><div class="strategy-map" data-testid="strategy-map">${lanes}</div>` +
    `<table data-testid="scorecard"><tr><th>${t("objective")}</th><th>${t("indicator_col")}</th><th>${t("target_col")}</th>` +
    `<th>${t("value_col")}</th><th>${t("achievement")}</th><th></th><th>${t("initiatives")}</th></tr>${rows.join("")}</table>`;
  window.microplanViewer.scorecardsShown = (window.microplanViewer.scorecardsShown || 0) + 1;
}

// ---- pickers -------------------------------------------------------------------------

function fillSectors() {
  if (!state.catalogue) return;
  const options = state.catalogue.sectors.map((s) => `<option value="${s.id}">${sectorName(s.id)}</option>`).join("");
  const current = $("sector").value;
  $("sector").innerHTML = `<option value="">${t("all_sectors")}</option>` + options;
  $("sector").value = current || "";
  const proposing = $("propose-sector").value;
  // Establishments are proposed; a network's households are not.
  $("propose-sector").innerHTML = state.catalogue.sectors.filter((s) => !isNetwork(s.id))
    .map((s) => `<option value="${s.id}">${sectorName(s.id)}</option>`).join("");
  if (proposing) $("propose-sector").value = proposing;
  fillTypologies();
}
function fillTypologies() {
  const sector = $("propose-sector").value;
  const current = $("propose-typology").value;
  // The sector's general standard ("*": every typology without one of its own) is offered too.
  $("propose-typology").innerHTML = state.catalogue.standards.filter((s) => s.sector === sector)
    .map((s) => `<option value="${s.typology}">${s.typology === "*" ? t("any_typology") : s.typology}</option>`).join("");
  if (current) $("propose-typology").value = current;
}

function download(href, filename) {
  const a = document.createElement("a");
  a.href = href;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

// ---- views: the mainland, and each group of islands far away (the Galápagos) ----------

function fitTo(b) {
  map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 20, duration: 0 });
}
const titleCase = (s) => s.toLowerCase().replace(/(^|[\s-])\S/g, (c) => c.toUpperCase());
function viewLabel(v) {
  return v.id === "main" ? t("view_main") : t("view_go") + " " + (v.names.length ? v.names.map(titleCase).join(", ") : v.id);
}
function labelViews() {
  for (const b of document.querySelectorAll("#views button")) b.textContent = viewLabel(state.views[b.dataset.view]);
}
// A button per view when there is more than one (nothing to choose otherwise).
function addViewButtons() {
  if (state.views.length < 2) return;
  const box = document.createElement("div");
  box.id = "views";
  box.className = "maplibregl-ctrl maplibregl-ctrl-group views";
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", t("views"));
  state.views.forEach((v, i) => {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.view = i;
    b.setAttribute("data-testid", "view-" + v.id);
    b.onclick = () => fitTo(v.bounds);
    box.appendChild(b);
  });
  map.addControl({ onAdd: () => box, onRemove: () => box.remove() }, "top-left");
  labelViews();
}

// ---- wiring --------------------------------------------------------------------------

// The edit token `microplan serve` prints in the viewer's URL (#token=…, a fragment the browser
// never sends): into the token field, out of the address bar, kept for this tab's reloads.
(() => {
  const fromUrl = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromUrl) {
    sessionStorage.setItem("microplan-token", fromUrl);
    history.replaceState(null, "", location.pathname + location.search);
  }
  const token = fromUrl || sessionStorage.getItem("microplan-token");
  if (token && !$("token").value) $("token").value = token;
})();

window.microplanViewer = { ready: false, indicatorsLoaded: 0, reportsShown: 0, edits: 0, evaluations: 0, comparisons: 0, plansShown: 0, state };

map.on("load", async () => {
  if (KIT) {
    $("offline").hidden = false;
    $("offline").textContent = t("offline_note").replace("{n}", KIT.name);
  }
  const tj = await api("/tiles/all.json");
  addLayers(new Set((tj.vector_layers || []).map((l) => l.id)));
  state.catalogue = await api("/catalogue").catch(() => ({ sectors: [], standards: [] }));
  // Open on the finest level the standards count at (the national base plans per district).
  const planned = LEVELS.filter((l) => state.catalogue.standards.some((st) => st.level === l));
  if (planned.length && !planned.includes(state.level)) {
    state.level = planned[planned.length - 1];
    $("level").value = state.level;
    showLevel();
  }
  fillSectors();
  suggestTarget();
  await loadScenarios();
  if (!KIT) await loadBudgetScenarios();
  state.views = tj.views || [];
  addViewButtons();
  const opening = state.views.length ? state.views[0].bounds : tj.bounds;  // the mainland, not every island
  if (opening) fitTo(opening);
  if (!KIT) await loadMonitoring();
  await loadIndicators();
  map.once("idle", () => { window.microplanViewer.ready = true; });
  map.triggerRepaint();
});

map.on("click", (e) => {
  if (state.adding) {
    state.adding = false;
    $("add-mode").classList.remove("active");
    map.getCanvas().style.cursor = "";
    return addAt(e.lngLat);
  }
  // A click on a marker (a proposal, a closed establishment, a suggestion) opens its own popup.
  const target = e.originalEvent && e.originalEvent.target;
  if (target && target.closest && target.closest(".maplibregl-marker")) return;
  // An establishment's popup (close it in the scenario) beside the report of the unit it lies in.
  const here = map.getLayer("establishments") ? map.queryRenderedFeatures(e.point, { layers: ["establishments"] }) : [];
  if (here.length && here[0].id !== undefined) establishmentPopup(here[0], e.lngLat);
  const hit = map.queryRenderedFeatures(e.point, { layers: [LAYER_OF[state.level] + "-fill"] });
  if (hit.length) select(hit[0]);
});
map.on("mouseenter", "establishments", () => { if (!state.adding) map.getCanvas().style.cursor = "pointer"; });
map.on("mouseleave", "establishments", () => { if (!state.adding) map.getCanvas().style.cursor = ""; });
for (const level of Object.values(LAYER_OF)) {
  map.on("mouseenter", level + "-fill", () => { if (!state.adding) map.getCanvas().style.cursor = "pointer"; });
  map.on("mouseleave", level + "-fill", () => { if (!state.adding) map.getCanvas().style.cursor = ""; });
}

$("level").onchange = () => { state.level = $("level").value; suggestTarget(); showLevel(); loadIndicators(); };
$("plan-evaluate").onclick = evaluatePlan;
$("plan-file").onchange = () => { if ($("plan-file").files.length) comparePlan($("plan-file").files[0]); };
$("sector").onchange = () => { state.sector = $("sector").value; state.minutes = null; labelIndicators(); loadIndicators(); };
$("minutes").onchange = () => { state.minutes = $("minutes").value; loadIndicators(); };
$("indicator").onchange = () => { state.indicator = $("indicator").value; loadIndicators(); };
$("travel-layer").onchange = showTravelLayer;
$("propose-sector").onchange = fillTypologies;
$("scenario").onchange = async () => {
  state.scenario = $("scenario").value;
  await Promise.all([loadIndicators(), loadProposals(), state.selected ? showReport(state.selected) : null]);
};
$("scenario-new").onclick = async () => {
  const name = prompt(t("name_prompt"), "Escenario " + new Date().toLocaleDateString());
  if (!name) return;
  try {
    const s = await api("/scenarios", { method: "POST", body: JSON.stringify({ name }) });
    await loadScenarios(s.id);
    await Promise.all([loadIndicators(), loadProposals()]);
  } catch (e) { say(e.status === 401 || e.status === 403 ? t("refused") : e.message, true); }
};
$("scenario-rename").onclick = async () => {
  if (!state.scenario) return say(t("choose_scenario"), true);
  const name = prompt(t("name_prompt"), $("scenario").selectedOptions[0].textContent);
  if (!name) return;
  try {
    await api(`/scenarios/${state.scenario}`, { method: "PATCH", body: JSON.stringify({ name }) });
    await loadScenarios(state.scenario);
  } catch (e) { say(e.status === 401 || e.status === 403 ? t("refused") : e.message, true); }
};
$("scenario-delete").onclick = async () => {
  if (!state.scenario || !confirm(t("confirm_delete"))) return;
  try {
    await api(`/scenarios/${state.scenario}`, { method: "DELETE" });
    await loadScenarios();
    await Promise.all([loadIndicators(), loadProposals()]);
  } catch (e) { say(e.status === 401 || e.status === 403 ? t("refused") : e.message, true); }
};
$("add-mode").onclick = () => {
  if (!state.scenario) return say(t("choose_scenario"), true);
  state.adding = !state.adding;
  $("add-mode").classList.toggle("active", state.adding);
  map.getCanvas().style.cursor = state.adding ? "crosshair" : "";
  if (state.adding) say(t("click_to_add"));
};
$("undo").onclick = async () => {
  if (!state.scenario) return say(t("choose_scenario"), true);
  let undone = false;
  await edit(async () => { undone = (await api(`/scenarios/${state.scenario}/undo`, { method: "POST" })).undone; }, t("undone"));
  if (!undone && $("message").textContent === t("undone")) say(t("nothing_to_undo"));
};
$("compare").onclick = compare;
$("plan-show").onclick = showPlan;
$("projects-layer").onchange = showProjects;
$("period").oninput = () => { $("period-label").textContent = period(); };
$("period").onchange = () => {
  $("period-label").textContent = period();
  showProjects();
  if (state.indicator === "targets_light") loadIndicators();
  // The panel follows the month: the scorecard when it is shown, else the unit's monitoring.
  if ($("panel").querySelector("[data-testid=scorecard]")) showScorecard();
  else if (state.selected) showMonitoring(state.selected);
};
$("scorecard-show").onclick = showScorecard;
$("suggest").onclick = suggestSites;
$("export-csv").onclick = () => {
  const params = new URLSearchParams({ f: "csv" });
  if (state.sector) params.set("sector", state.sector);
  if (state.scenario) params.set("scenario", state.scenario);
  download(`/indicators/${state.level}?${params}`, `indicadores_${state.level}.csv`);
};
$("export-gpkg").onclick = () => {
  if (!state.scenario) return say(t("choose_scenario"), true);
  download(`/scenarios/${state.scenario}/export.gpkg`, `escenario_${state.scenario}.gpkg`);
};
$("export-png").onclick = () => download(map.getCanvas().toDataURL("image/png"), "mapa_microplan.png");
$("lang").onclick = () => { state.lang = state.lang === "es" ? "en" : "es"; translate(); };
