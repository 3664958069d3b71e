-- phbrefs library schema at revision 0005_no_contributor_table
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
CREATE TABLE claim (
	id INTEGER NOT NULL, 
	slug VARCHAR NOT NULL, 
	statement VARCHAR NOT NULL, 
	theme VARCHAR, 
	description VARCHAR, 
	position INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_claim_slug ON claim (slug);
CREATE INDEX ix_claim_theme ON claim (theme);
CREATE TABLE framework (
	id INTEGER NOT NULL, 
	name VARCHAR NOT NULL, 
	description VARCHAR, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);
CREATE TABLE tag (
	id INTEGER NOT NULL, 
	name VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_tag_name ON tag (name);
CREATE TABLE work (
	id INTEGER NOT NULL, 
	citekey VARCHAR NOT NULL, 
	doi VARCHAR, 
	type VARCHAR NOT NULL, 
	source_type VARCHAR, 
	title VARCHAR, 
	container_title VARCHAR, 
	year INTEGER, 
	first_author VARCHAR, 
	data JSON NOT NULL, 
	source VARCHAR, 
	added_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_work_citekey ON work (citekey);
CREATE INDEX ix_work_first_author ON work (first_author);
CREATE INDEX ix_work_type ON work (type);
CREATE INDEX ix_work_year ON work (year);
CREATE TABLE alias (
	"key" VARCHAR NOT NULL, 
	work_id INTEGER NOT NULL, 
	PRIMARY KEY ("key"), 
	FOREIGN KEY(work_id) REFERENCES work (id) ON DELETE CASCADE
);
CREATE INDEX ix_alias_work_id ON alias (work_id);
CREATE TABLE cerqual (
	claim_id INTEGER NOT NULL, 
	methodological_limitations VARCHAR, 
	methodological_limitations_explanation VARCHAR, 
	coherence VARCHAR, 
	coherence_explanation VARCHAR, 
	adequacy VARCHAR, 
	adequacy_explanation VARCHAR, 
	relevance VARCHAR, 
	relevance_explanation VARCHAR, 
	overall VARCHAR, 
	overall_explanation VARCHAR, 
	assessed_by VARCHAR, 
	assessed_at DATETIME NOT NULL, 
	PRIMARY KEY (claim_id), 
	FOREIGN KEY(claim_id) REFERENCES claim (id) ON DELETE CASCADE
);
CREATE TABLE finding (
	id INTEGER NOT NULL, 
	work_id INTEGER NOT NULL, 
	claim_id INTEGER NOT NULL, 
	stance VARCHAR NOT NULL, 
	quote VARCHAR NOT NULL, 
	location VARCHAR, 
	participants VARCHAR, 
	note VARCHAR, 
	coder VARCHAR, 
	coded_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(claim_id) REFERENCES claim (id) ON DELETE CASCADE, 
	FOREIGN KEY(work_id) REFERENCES work (id) ON DELETE CASCADE
);
CREATE INDEX ix_finding_claim_work ON finding (claim_id, work_id);
CREATE INDEX ix_finding_work_id ON finding (work_id);
CREATE TABLE framework_dimension (
	id INTEGER NOT NULL, 
	framework_id INTEGER NOT NULL, 
	code VARCHAR NOT NULL, 
	description VARCHAR, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(framework_id) REFERENCES framework (id) ON DELETE CASCADE, 
	UNIQUE (framework_id, code)
);
CREATE TABLE not_duplicate (
	work_a INTEGER NOT NULL, 
	work_b INTEGER NOT NULL, 
	PRIMARY KEY (work_a, work_b), 
	FOREIGN KEY(work_a) REFERENCES work (id) ON DELETE CASCADE, 
	FOREIGN KEY(work_b) REFERENCES work (id) ON DELETE CASCADE
);
CREATE TABLE note (
	id INTEGER NOT NULL, 
	work_id INTEGER NOT NULL, 
	text VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(work_id) REFERENCES work (id) ON DELETE CASCADE
);
CREATE INDEX ix_note_work_id ON note (work_id);
CREATE TABLE source_record (
	id INTEGER NOT NULL, 
	work_id INTEGER NOT NULL, 
	source VARCHAR NOT NULL, 
	format VARCHAR NOT NULL, 
	content VARCHAR NOT NULL, 
	origin VARCHAR, 
	added_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(work_id) REFERENCES work (id) ON DELETE CASCADE
);
CREATE INDEX ix_source_record_work_id ON source_record (work_id);
CREATE TABLE study (
	work_id INTEGER NOT NULL, 
	aim VARCHAR, 
	design VARCHAR, 
	data_collection VARCHAR, 
	setting VARCHAR, 
	country VARCHAR, 
	period VARCHAR, 
	analysis VARCHAR, 
	framework VARCHAR, 
	funding VARCHAR, 
	key_findings VARCHAR, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (work_id), 
	FOREIGN KEY(work_id) REFERENCES work (id) ON DELETE CASCADE
);
CREATE TABLE study_group (
	id INTEGER NOT NULL, 
	work_id INTEGER NOT NULL, 
	label VARCHAR NOT NULL, 
	count INTEGER, 
	unit VARCHAR, 
	detail VARCHAR, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(work_id) REFERENCES work (id) ON DELETE CASCADE
);
CREATE INDEX ix_study_group_work_id ON study_group (work_id);
CREATE TABLE work_tag (
	work_id INTEGER NOT NULL, 
	tag_id INTEGER NOT NULL, tagged_by VARCHAR, tagged_at DATETIME, 
	PRIMARY KEY (work_id, tag_id), 
	FOREIGN KEY(tag_id) REFERENCES tag (id) ON DELETE CASCADE, 
	FOREIGN KEY(work_id) REFERENCES work (id) ON DELETE CASCADE
);
CREATE TABLE finding_dimension (
	finding_id INTEGER NOT NULL, 
	dimension_id INTEGER NOT NULL, 
	PRIMARY KEY (finding_id, dimension_id), 
	FOREIGN KEY(dimension_id) REFERENCES framework_dimension (id) ON DELETE CASCADE, 
	FOREIGN KEY(finding_id) REFERENCES finding (id) ON DELETE CASCADE
);
CREATE VIRTUAL TABLE work_fts USING fts5(title, abstract, authors, container, notes, keywords, tokenize = 'unicode61 remove_diacritics 2');
CREATE INDEX ix_work_doi ON work (doi);
CREATE TABLE merge_log (
	id INTEGER NOT NULL, 
	work_id INTEGER NOT NULL, 
	merge_id VARCHAR NOT NULL, 
	snapshot JSON NOT NULL, 
	merged_by VARCHAR, 
	merged_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_merge_log_work_id ON merge_log (work_id);
CREATE INDEX ix_merge_log_merge_id ON merge_log (merge_id);
CREATE TABLE enrichment_attempt (
	work_id INTEGER NOT NULL, 
	source VARCHAR NOT NULL, 
	outcome VARCHAR NOT NULL, 
	detail VARCHAR, 
	attempted_at DATETIME NOT NULL, 
	PRIMARY KEY (work_id, source), 
	FOREIGN KEY(work_id) REFERENCES work (id) ON DELETE CASCADE
);
CREATE TABLE field_provenance (
	work_id INTEGER NOT NULL, 
	field VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	identifier VARCHAR NOT NULL, 
	recorded_at DATETIME NOT NULL, 
	PRIMARY KEY (work_id, field), 
	FOREIGN KEY(work_id) REFERENCES work (id) ON DELETE CASCADE
);
CREATE TABLE notice (
	id INTEGER NOT NULL, 
	work_id INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	doi VARCHAR NOT NULL, 
	date VARCHAR, 
	label VARCHAR, 
	first_seen_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(work_id) REFERENCES work (id) ON DELETE CASCADE, 
	UNIQUE (work_id, kind, source, doi)
);
CREATE INDEX ix_notice_kind ON notice (kind);
CREATE INDEX ix_notice_work_id ON notice (work_id);
CREATE TABLE oa_location (
	id INTEGER NOT NULL, 
	work_id INTEGER NOT NULL, 
	source VARCHAR NOT NULL, 
	url VARCHAR NOT NULL, 
	pdf_url VARCHAR, 
	license VARCHAR, 
	version VARCHAR, 
	host_type VARCHAR, 
	is_best BOOLEAN NOT NULL, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(work_id) REFERENCES work (id) ON DELETE CASCADE
);
CREATE INDEX ix_oa_location_work_id ON oa_location (work_id);
CREATE TABLE work_check (
	work_id INTEGER NOT NULL, 
	checked_at DATETIME NOT NULL, 
	is_retracted BOOLEAN NOT NULL, 
	detail VARCHAR, 
	PRIMARY KEY (work_id), 
	FOREIGN KEY(work_id) REFERENCES work (id) ON DELETE CASCADE
);
CREATE TABLE work_identifier (
	work_id INTEGER NOT NULL, 
	scheme VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	PRIMARY KEY (work_id, scheme), 
	FOREIGN KEY(work_id) REFERENCES work (id) ON DELETE CASCADE
);
CREATE INDEX ix_work_identifier_scheme_value ON work_identifier (scheme, value);
CREATE TABLE work_term (
	work_id INTEGER NOT NULL, 
	vocabulary VARCHAR NOT NULL, 
	term VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	PRIMARY KEY (work_id, vocabulary, term), 
	FOREIGN KEY(work_id) REFERENCES work (id) ON DELETE CASCADE
);
INSERT INTO "alembic_version" VALUES ('0005_no_contributor_table');
INSERT INTO "framework" VALUES (1, 'RE-AIM', 'Reach, Effectiveness, Adoption, Implementation, Maintenance (Glasgow et al. 1999)');
INSERT INTO "framework_dimension" VALUES (1, 1, 'Reach', 'Who takes part: the number, share and representativeness of participants.', 0);
INSERT INTO "framework_dimension" VALUES (2, 1, 'Effectiveness', 'The impact on outcomes, including unintended consequences.', 1);
INSERT INTO "framework_dimension" VALUES (3, 1, 'Adoption', 'The settings and staff that take the intervention up.', 2);
INSERT INTO "framework_dimension" VALUES (4, 1, 'Implementation', 'Fidelity, adaptations, costs and consistency of delivery.', 3);
INSERT INTO "framework_dimension" VALUES (5, 1, 'Maintenance', 'Whether effects and delivery last over time.', 4);
