/* btslog review page: one script, no libraries, works from file:// (data in data.js).
 *
 * window.BTSLOG_DATA is written by btslog (btslog.ops.review.review_data).  In served mode
 * (body[data-mode=served]) the buttons post to /api/... and the data is fetched again after
 * each change; in static mode (a copy built with `btslog review build`) nothing is written.
 * Text from the log is only ever set with textContent, never parsed as HTML.
 */
(function () {
  "use strict";

  // --- timecode: the same labels as btslog.timecode (drop-frame at 29.97 and 59.94) -------

  /** The time-of-day label of frame count `frames` at `nominal` labels per second. */
  function formatTimecode(frames, nominal, dropFrame) {
    var dropped = dropFrame ? nominal / 15 : 0; // labels skipped each minute but every tenth
    var perMinute = nominal * 60 - dropped;
    var perTenMinutes = nominal * 600 - dropped * 9;
    var perDay = perTenMinutes * 144;
    var count = ((Math.floor(frames) % perDay) + perDay) % perDay;
    if (dropFrame) {
      var tens = Math.floor(count / perTenMinutes);
      var rest = count % perTenMinutes;
      var skipped = dropped * 9 * tens;
      if (rest > dropped) {
        skipped += dropped * Math.floor((rest - dropped) / perMinute);
      }
      count += skipped;
    }
    var frame = count % nominal;
    var seconds = Math.floor(count / nominal);
    var width = String(nominal - 1).length < 2 ? 2 : String(nominal - 1).length;
    return pad(Math.floor(seconds / 3600), 2) + ":" + pad(Math.floor(seconds / 60) % 60, 2) +
      ":" + pad(seconds % 60, 2) + (dropFrame ? ";" : ":") + pad(frame, width);
  }

  function pad(value, width) {
    var text = String(value);
    while (text.length < width) text = "0" + text;
    return text;
  }

  window.btslogTimecode = formatTimecode; // for the browser tests

  // --- state -------------------------------------------------------------------------------

  var data = window.BTSLOG_DATA || { clips: {}, days: [], tags: [], kinds: [], people: [] };
  var mode = document.body.getAttribute("data-mode") || "static";
  var served = mode === "served";
  var openClip = null; // the clip entry shown in the player
  var player = byId("player");
  var statusLine = byId("status");
  var token = new URLSearchParams(window.location.search).get("token");
  var REVIEWER_KEY = "btslog-reviewer";

  function byId(id) {
    return document.getElementById(id);
  }

  function element(tag, text, attributes) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (var name in attributes || {}) node.setAttribute(name, attributes[name]);
    return node;
  }

  function say(text, isError) {
    statusLine.textContent = text;
    statusLine.className = isError ? "error" : "ok";
  }

  // --- reviewer ----------------------------------------------------------------------------

  var reviewer = "";
  try {
    reviewer = window.localStorage.getItem(REVIEWER_KEY) || "";
  } catch (error) {
    reviewer = ""; // file:// pages may have no storage
  }

  function showReviewer() {
    byId("reviewer-current").textContent = reviewer || "(nobody yet)";
    byId("reviewer-name").value = reviewer;
  }

  function saveReviewer() {
    var name = byId("reviewer-name").value.split(/\s+/).filter(Boolean).join(" ");
    if (!name) {
      say("error: type your name first", true);
      return;
    }
    reviewer = name;
    try {
      window.localStorage.setItem(REVIEWER_KEY, name);
    } catch (error) {
      /* kept for this page only */
    }
    showReviewer();
    say("reviewing as " + name, false);
  }

  // --- playhead ----------------------------------------------------------------------------

  /** The frame (from the clip's first) under the playhead. */
  function currentFrame() {
    if (!openClip) return 0;
    var rate = openClip.rate_num / openClip.rate_den;
    var frame = Math.floor((player.currentTime || 0) * rate + 1e-6);
    return Math.max(0, Math.min(frame, openClip.duration_frames - 1));
  }

  function showPlayhead() {
    if (!openClip) return;
    byId("playhead-tc").textContent = formatTimecode(
      openClip.start_frame + currentFrame(), openClip.nominal_fps, openClip.drop_frame);
  }

  function seekTo(frame) {
    if (!openClip || !openClip.proxy) return;
    var rate = openClip.rate_num / openClip.rate_den;
    // the middle of the frame: any rounding of currentTime still lands on it
    player.currentTime = (frame + 0.5) / rate;
    showPlayhead();
  }

  ["timeupdate", "seeked", "loadedmetadata", "seeking"].forEach(function (name) {
    player.addEventListener(name, showPlayhead);
  });

  // --- filters -----------------------------------------------------------------------------

  var filters = {
    kind: byId("filter-kind"),
    person: byId("filter-person"),
    rating: byId("filter-rating"),
    status: byId("filter-status"),
  };

  function fillSelect(select, values, label) {
    var chosen = select.value;
    while (select.options.length > 1) select.remove(1);
    values.forEach(function (value) {
      select.appendChild(element("option", label ? label(value) : value, { value: value }));
    });
    select.value = values.indexOf(chosen) >= 0 ? chosen : "";
  }

  function fillFilters() {
    fillSelect(filters.kind, data.kinds);
    fillSelect(filters.person, data.people);
    fillSelect(filters.rating, ["1", "2", "3", "4", "5"], function (value) {
      return value === "5" ? "5 stars" : value + " stars or more";
    });
    fillSelect(filters.status, ["suggested", "accepted", "rejected", "circled", "NG"]);
  }

  function passes(row) {
    if (filters.kind.value && row.kind !== filters.kind.value) return false;
    if (filters.person.value && row.people.indexOf(filters.person.value) < 0) return false;
    if (filters.rating.value && !(row.rating >= Number(filters.rating.value))) return false;
    var status = filters.status.value;
    if (status === "circled" || status === "NG") return row.state === status;
    if (status && row.status !== status) return false;
    return true;
  }

  function filtering() {
    return Boolean(filters.kind.value || filters.person.value || filters.rating.value ||
      filters.status.value);
  }

  Object.keys(filters).forEach(function (name) {
    filters[name].addEventListener("change", function () {
      renderClips();
      renderTags();
    });
  });

  // --- clip list ---------------------------------------------------------------------------

  function tagsOf(clipName) {
    return data.tags.filter(function (row) {
      return row.clip === clipName;
    });
  }

  function renderClips() {
    var nav = byId("clips");
    nav.textContent = "";
    data.days.forEach(function (day) {
      var dayBox = element("section", null, { class: "day" });
      dayBox.appendChild(element("h2", day.day || "undated"));
      day.cameras.forEach(function (camera) {
        dayBox.appendChild(element("h3", "camera " + (camera.camera || "?")));
        var list = element("ul");
        camera.clips.forEach(function (name) {
          var clip = data.clips[name];
          var matching = tagsOf(name).filter(passes).length;
          var link = element("a", null, {
            "data-testid": "clip-" + name,
            href: "#clip=" + encodeURIComponent(name),
            class: "clip" + (openClip && openClip.name === name ? " open" : "") +
              (filtering() && !matching ? " no-match" : ""),
          });
          if (clip.poster) link.appendChild(element("img", null, { src: clip.poster, alt: "" }));
          link.appendChild(element("span", name, { class: "name" }));
          link.appendChild(element("span", clip.start_tc + "\u2013" + clip.end_tc, { class: "tc" }));
          link.appendChild(element("span", matching + (matching === 1 ? " tag" : " tags"),
            { class: "count" }));
          link.addEventListener("click", function (event) {
            event.preventDefault();
            open(name);
          });
          var item = element("li");
          item.appendChild(link);
          list.appendChild(item);
        });
        dayBox.appendChild(list);
      });
      nav.appendChild(dayBox);
    });
  }

  // --- player area -------------------------------------------------------------------------

  function open(name) {
    var clip = data.clips[name];
    if (!clip) return;
    var changed = !openClip || openClip.name !== name;
    openClip = clip;
    if (changed) {
      byId("clip-title").textContent = clip.name;
      byId("clip-facts").textContent = "camera " + (clip.camera || "?") + " \u00b7 " +
        (clip.day || "undated") + " \u00b7 " + clip.start_tc + "\u2013" + clip.end_tc +
        " \u00b7 " + clip.rate_label + " fps" + (clip.drop_frame ? " drop-frame" : "");
      byId("no-proxy").hidden = Boolean(clip.proxy);
      if (clip.proxy) {
        player.src = clip.proxy;
        if (clip.poster) player.poster = clip.poster;
      } else {
        player.removeAttribute("src");
        player.load();
      }
      if (window.location.hash !== "#clip=" + encodeURIComponent(name)) {
        history.replaceState(null, "", "#clip=" + encodeURIComponent(name));
      }
    }
    byId("playhead-tc").textContent = formatTimecode(
      clip.start_frame + currentFrame(), clip.nominal_fps, clip.drop_frame);
    renderClips();
    renderTags();
  }

  function cell(row, text) {
    row.appendChild(element("td", text));
  }

  function button(label, testid, onClick) {
    var node = element("button", label, { type: "button", "data-testid": testid, class: "write" });
    if (!served) {
      node.disabled = true;
      node.title = "read-only copy: run btslog review serve to write";
    }
    node.addEventListener("click", function (event) {
      event.stopPropagation();
      onClick();
    });
    return node;
  }

  function tagRow(row, isSuggestion) {
    var line = element("tr", null, {
      "data-testid": (isSuggestion ? "suggestion-" : "tag-") + row.id,
      class: "state-" + row.state.toLowerCase(),
      title: "click to play from " + row.in_tc,
    });
    cell(line, row.in_tc);
    cell(line, row.out_tc);
    cell(line, row.kind);
    if (isSuggestion) {
      cell(line, (row.analyzer || row.source) +
        (row.confidence !== null && row.confidence !== undefined
          ? " (" + Math.round(row.confidence * 100) + "%)" : ""));
      cell(line, row.note);
    } else {
      cell(line, [row.scene, row.take].filter(Boolean).join("/"));
      cell(line, row.rating ? "\u2605".repeat(row.rating) : "");
      cell(line, row.people.join(", "));
      cell(line, row.note);
      cell(line, row.author || "");
    }
    var state = element("td", row.state, { "data-testid": "state-" + row.id });
    line.appendChild(state);
    var actions = element("td", null, { class: "actions" });
    if (isSuggestion) {
      actions.appendChild(button("accept", "accept-" + row.id, function () {
        act("api/suggestions/" + row.id + "/accept", {}, "accepted suggestion " + row.id);
      }));
      actions.appendChild(button("dismiss", "dismiss-" + row.id, function () {
        act("api/suggestions/" + row.id + "/dismiss", {}, "dismissed suggestion " + row.id);
      }));
    } else if (row.kind === "take" && row.status !== "suggested") {
      actions.appendChild(button("circle", "circle-" + row.id, function () {
        act("api/tags/" + row.id + "/circle", {}, "circled take " + row.id);
      }));
      actions.appendChild(button("reject", "reject-" + row.id, function () {
        act("api/tags/" + row.id + "/reject", {}, "rejected take " + row.id + " (NG)");
      }));
    }
    line.appendChild(actions);
    line.addEventListener("click", function () {
      seekTo(row.in_frame);
    });
    return line;
  }

  function renderTags() {
    var tagBody = byId("tags-body");
    var suggestionBody = byId("suggestions-body");
    tagBody.textContent = "";
    suggestionBody.textContent = "";
    if (!openClip) return;
    tagsOf(openClip.name).filter(passes).forEach(function (row) {
      if (row.status === "suggested") suggestionBody.appendChild(tagRow(row, true));
      else tagBody.appendChild(tagRow(row, false));
    });
  }

  // --- writing (served mode) ---------------------------------------------------------------

  function act(path, body, done) {
    if (!served) {
      say("error: read-only copy: run btslog review serve to write", true);
      return Promise.resolve(null);
    }
    if (!reviewer) {
      say("error: missing reviewer name: type your name and save it first", true);
      return Promise.resolve(null);
    }
    body.reviewer = reviewer;
    var headers = { "Content-Type": "application/json" };
    if (token) headers["X-Btslog-Token"] = token;
    say("saving\u2026", false);
    return fetch(path, {
      method: "POST",
      headers: headers,
      body: JSON.stringify(body),
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().catch(function () {
        return { error: "the server answered " + response.status };
      }).then(function (answer) {
        if (!response.ok || answer.error) {
          say("error: " + (answer.error || response.status) +
            (answer.hint ? " (" + answer.hint + ")" : ""), true);
          return null;
        }
        return reload().then(function () {
          say("saved: " + done, false);
          return answer;
        });
      });
    }).catch(function (error) {
      say("error: cannot reach btslog review serve (" + error + ")", true);
      return null;
    });
  }

  function reload() {
    var headers = {};
    if (token) headers["X-Btslog-Token"] = token;
    return fetch("api/data", { headers: headers, credentials: "same-origin" })
      .then(function (response) {
        return response.json();
      })
      .then(function (fresh) {
        if (fresh && fresh.clips) {
          data = fresh;
          if (openClip) openClip = data.clips[openClip.name] || null;
          fillFilters();
          renderClips();
          renderTags();
        }
      });
  }

  function addComment() {
    var text = byId("comment-text").value;
    if (!openClip) {
      say("error: open a clip first", true);
      return;
    }
    if (!text.trim()) {
      say("error: the comment is empty: type a comment first", true);
      return;
    }
    var frame = currentFrame();
    var at = formatTimecode(openClip.start_frame + frame, openClip.nominal_fps,
      openClip.drop_frame);
    act("api/comments", { clip: openClip.name, at: "+" + frame + "f", text: text },
      "comment at " + at).then(function (answer) {
      if (answer) byId("comment-text").value = "";
    });
  }

  // --- start -------------------------------------------------------------------------------

  byId("reviewer-save").addEventListener("click", saveReviewer);
  byId("reviewer-name").addEventListener("keydown", function (event) {
    if (event.key === "Enter") saveReviewer();
  });
  byId("comment-add").addEventListener("click", addComment);
  if (!served) {
    ["reviewer-name", "reviewer-save", "comment-text", "comment-add"].forEach(function (id) {
      byId(id).disabled = true;
    });
  }
  showReviewer();
  fillFilters();
  renderClips();
  var wanted = decodeURIComponent((window.location.hash.match(/^#clip=(.*)$/) || [])[1] || "");
  if (wanted && data.clips[wanted]) open(wanted);
})();
