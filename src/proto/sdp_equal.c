/* SPDX-License-Identifier: MIT */
/* Deep comparison of SDP models, used to check that write then parse gives the same model. */

#include "proto/sdp_internal.h"

#include <string.h>

typedef bool (*equal_func)(const void *a, const void *b);

static bool str_equal(const char *a, const char *b)
{
	return g_strcmp0(a, b) == 0;
}

static bool list_equal(const GPtrArray *a, const GPtrArray *b, equal_func equal)
{
	if (a->len != b->len)
		return false;
	for (unsigned i = 0; i < a->len; i++) {
		if (!equal(g_ptr_array_index(a, i), g_ptr_array_index(b, i)))
			return false;
	}
	return true;
}

static bool string_item_equal(const void *a, const void *b)
{
	return str_equal(a, b);
}

static bool attribute_equal(const void *pa, const void *pb)
{
	const struct sdp_attribute *a = pa, *b = pb;

	return str_equal(a->name, b->name) && str_equal(a->value, b->value);
}

static bool group_equal(const void *pa, const void *pb)
{
	const struct sdp_group *a = pa, *b = pb;

	return str_equal(a->semantics, b->semantics) &&
	       list_equal(a->mids, b->mids, string_item_equal);
}

static bool codec_equal(const void *pa, const void *pb)
{
	const struct sdp_codec *a = pa, *b = pb;

	return a->pt == b->pt && str_equal(a->name, b->name) && a->clock_rate == b->clock_rate &&
	       a->channels == b->channels && str_equal(a->fmtp, b->fmtp) &&
	       list_equal(a->feedback, b->feedback, string_item_equal);
}

static bool extmap_equal(const void *pa, const void *pb)
{
	const struct sdp_extmap *a = pa, *b = pb;

	return a->id == b->id && a->direction == b->direction && str_equal(a->uri, b->uri) &&
	       str_equal(a->attributes, b->attributes);
}

static bool msid_equal(const void *pa, const void *pb)
{
	const struct sdp_msid *a = pa, *b = pb;

	return str_equal(a->stream_id, b->stream_id) && str_equal(a->track_id, b->track_id);
}

static bool ssrc_equal(const void *pa, const void *pb)
{
	const struct sdp_ssrc *a = pa, *b = pb;

	return a->ssrc == b->ssrc && str_equal(a->attribute, b->attribute) &&
	       str_equal(a->value, b->value);
}

static bool ssrc_group_equal(const void *pa, const void *pb)
{
	const struct sdp_ssrc_group *a = pa, *b = pb;

	return str_equal(a->semantics, b->semantics) && a->ssrcs->len == b->ssrcs->len &&
	       memcmp(a->ssrcs->data, b->ssrcs->data, a->ssrcs->len * sizeof(uint32_t)) == 0;
}

static bool rid_equal(const void *pa, const void *pb)
{
	const struct sdp_rid *a = pa, *b = pb;

	return str_equal(a->id, b->id) && a->direction == b->direction &&
	       str_equal(a->params, b->params);
}

static bool simulcast_rid_equal(const void *pa, const void *pb)
{
	const struct sdp_simulcast_rid *a = pa, *b = pb;

	return str_equal(a->rid, b->rid) && a->paused == b->paused;
}

static bool simulcast_stream_equal(const void *pa, const void *pb)
{
	const struct sdp_simulcast_stream *a = pa, *b = pb;

	return list_equal(a->alternatives, b->alternatives, simulcast_rid_equal);
}

static bool simulcast_equal(const struct sdp_simulcast *a, const struct sdp_simulcast *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return list_equal(a->send, b->send, simulcast_stream_equal) &&
	       list_equal(a->recv, b->recv, simulcast_stream_equal);
}

static bool candidate_item_equal(const void *a, const void *b)
{
	return sdp_candidate_equal(a, b);
}

static bool fingerprint_equal(const struct sdp_fingerprint *a, const struct sdp_fingerprint *b)
{
	return str_equal(a->hash, b->hash) && str_equal(a->value, b->value);
}

/* The m= line, c=, b= and the single-valued attributes. */
static bool media_scalars_equal(const struct sdp_media *a, const struct sdp_media *b)
{
	return a->kind == b->kind && str_equal(a->kind_name, b->kind_name) && a->port == b->port &&
	       a->port_count == b->port_count && str_equal(a->proto, b->proto) &&
	       str_equal(a->formats, b->formats) && str_equal(a->connection, b->connection) &&
	       str_equal(a->mid, b->mid) && a->direction == b->direction &&
	       a->rtcp_mux == b->rtcp_mux && a->rtcp_rsize == b->rtcp_rsize &&
	       a->extmap_allow_mixed == b->extmap_allow_mixed &&
	       a->end_of_candidates == b->end_of_candidates &&
	       str_equal(a->ice_ufrag, b->ice_ufrag) && str_equal(a->ice_pwd, b->ice_pwd) &&
	       str_equal(a->ice_options, b->ice_options) &&
	       fingerprint_equal(&a->fingerprint, &b->fingerprint) && a->setup == b->setup &&
	       a->has_sctp_port == b->has_sctp_port && a->sctp_port == b->sctp_port &&
	       a->has_max_message_size == b->has_max_message_size &&
	       a->max_message_size == b->max_message_size;
}

static bool media_equal(const void *pa, const void *pb)
{
	const struct sdp_media *a = pa, *b = pb;

	return media_scalars_equal(a, b) && list_equal(a->codecs, b->codecs, codec_equal) &&
	       list_equal(a->bandwidths, b->bandwidths, string_item_equal) &&
	       list_equal(a->feedback_any, b->feedback_any, string_item_equal) &&
	       list_equal(a->extmaps, b->extmaps, extmap_equal) &&
	       list_equal(a->msids, b->msids, msid_equal) &&
	       list_equal(a->ssrcs, b->ssrcs, ssrc_equal) &&
	       list_equal(a->ssrc_groups, b->ssrc_groups, ssrc_group_equal) &&
	       list_equal(a->rids, b->rids, rid_equal) &&
	       simulcast_equal(a->simulcast, b->simulcast) &&
	       list_equal(a->candidates, b->candidates, candidate_item_equal) &&
	       list_equal(a->attributes, b->attributes, attribute_equal);
}

static bool origin_equal(const struct sdp_origin *a, const struct sdp_origin *b)
{
	return str_equal(a->username, b->username) && str_equal(a->sess_id, b->sess_id) &&
	       a->sess_version == b->sess_version && str_equal(a->nettype, b->nettype) &&
	       str_equal(a->addrtype, b->addrtype) && str_equal(a->address, b->address);
}

bool sdp_session_equal(const struct sdp_session *a, const struct sdp_session *b)
{
	return origin_equal(&a->origin, &b->origin) && str_equal(a->name, b->name) &&
	       str_equal(a->connection, b->connection) &&
	       list_equal(a->bandwidths, b->bandwidths, string_item_equal) &&
	       a->start_time == b->start_time && a->stop_time == b->stop_time &&
	       list_equal(a->groups, b->groups, group_equal) &&
	       str_equal(a->ice_ufrag, b->ice_ufrag) && str_equal(a->ice_pwd, b->ice_pwd) &&
	       str_equal(a->ice_options, b->ice_options) &&
	       fingerprint_equal(&a->fingerprint, &b->fingerprint) && a->setup == b->setup &&
	       a->ice_lite == b->ice_lite && a->extmap_allow_mixed == b->extmap_allow_mixed &&
	       a->end_of_candidates == b->end_of_candidates &&
	       str_equal(a->msid_semantic, b->msid_semantic) &&
	       list_equal(a->attributes, b->attributes, attribute_equal) &&
	       list_equal(a->media, b->media, media_equal);
}
